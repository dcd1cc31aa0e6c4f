package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.lab.QemuGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shell script the QEMU guest runs: one boot, then the unmodified Debian pppd + sstpc connect
 * to the forwarded gateway once per {@link Phase}, in order. Each phase reports with marker lines
 * the test waits for ({@code P} is the phase's name):
 *
 * <pre>
 *   VPNGW-P-UP &lt;ppp0 address line&gt;     IPCP done, ppp0 has its address
 *   VPNGW-P-FAILED                       no address within 30 s (refused, or the client stalled)
 *   VPNGW-P-PING &lt;received&gt; &lt;target&gt;     replies to 5 pings of a target (one line per target)
 *   VPNGW-P-PING-LARGE &lt;received&gt; ...   replies to 3 pings of 1300 octets
 *   VPNGW-P-RESULT &lt;k&gt; &lt;rc&gt;             the exit code of the phase's k-th extra command
 *   VPNGW-P-END still-up|exited          after the hold: whether the client was still running
 *   VPNGW-DONE                           the script ended
 * </pre>
 *
 * A phase holds its tunnel up to {@link Phase#holdSeconds} after its commands, so the test can act
 * on the live session (disconnect it, revoke its certificate); the hold ends early when the client
 * exits.
 */
public final class SstpGuestScript {
  /** How the client is started. */
  public enum Mode {
    /** {@code pppd ... plugin sstp-pppd-plugin.so pty "sstpc --nolaunchpppd ..."}. */
    PPPD_PLUGIN,
    /** {@code sstpc --user U --password P HOST <pppd options>}: sstpc starts pppd itself. */
    SSTPC_USER_PASSWORD
  }

  /**
   * One connection of the guest.
   *
   * @param name marker prefix (letters and digits)
   * @param mode how the client starts
   * @param user the PPP name
   * @param password the password (MS-CHAPv2, EAP-MSCHAPv2), or null (EAP-TLS)
   * @param pppdOptions more pppd options (e.g. {@code refuse-mschap-v2} to make pppd ask for EAP,
   *     or the EAP-TLS {@code ca/cert/key} files)
   * @param tls12Only whether sstpc's OpenSSL is capped at TLS 1.2 (an OPENSSL_CONF of the guest
   *     script's; otherwise the server picks TLS 1.3)
   * @param pingTargets addresses behind the gateway to ping through the tunnel
   * @param commands shell commands run after the pings, each reported with RESULT
   * @param holdSeconds how long to keep the tunnel up after the commands
   */
  public record Phase(
      String name,
      Mode mode,
      String user,
      String password,
      String pppdOptions,
      boolean tls12Only,
      List<String> pingTargets,
      List<String> commands,
      int holdSeconds) {}

  private SstpGuestScript() {}

  /** Writes the script for {@code phases} into {@code dir} (under /tmp, which the guest sees). */
  public static Path write(Path dir, Path caFile, List<Phase> phases) throws IOException {
    Path tls12 = dir.resolve("openssl-tls12.cnf");
    Files.writeString(
        tls12,
        "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n[ssl_sect]\n"
            + "system_default = system_default_sect\n[system_default_sect]\n"
            + "MaxProtocol = TLSv1.2\n");
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
    s.append("ip link set lo up\n");
    s.append("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up\n");
    s.append("mkdir -p /var/run/sstpc /run/lock\n");
    for (Phase p : phases) {
      phase(s, p, caFile, tls12);
    }
    s.append("echo VPNGW-DONE\n");
    Path script = dir.resolve("guest.sh");
    Files.writeString(script, s.toString());
    return script;
  }

  private static void phase(StringBuilder s, Phase p, Path caFile, Path tls12) {
    String m = "VPNGW-" + p.name();
    String common =
        "noauth noipdefault nodefaultroute refuse-pap refuse-chap refuse-mschap"
            + " nobsdcomp nodeflate noccp novj mru 1400 mtu 1400 lcp-echo-interval 0"
            + (p.pppdOptions().isEmpty() ? "" : " " + p.pppdOptions());
    String sstpc =
        "sstpc --ipparam " + p.name() + " --log-stderr --log-level 3 --ca-cert " + caFile;
    String secret = p.password() == null ? "" : " password '" + p.password() + "'";
    String start;
    if (p.mode() == Mode.PPPD_PLUGIN) {
      start =
          "pppd nodetach " + common + " name " + p.user() + secret
              // EAP-TLS: pppd checks the server certificate's CN against remotename, so such a
              // phase names it in its options
              + (p.pppdOptions().contains("remotename") ? "" : " remotename srv")
              + " plugin sstp-pppd-plugin.so sstp-sock /var/run/sstpc/sstpc-"
              + p.name() + " pty \"" + sstpc + " --nolaunchpppd " + QemuGuest.SERVER_ADDRESS
              + "\" &";
    } else {
      start =
          sstpc + " --user " + p.user() + " --password '" + p.password() + "' "
              + QemuGuest.SERVER_ADDRESS + " " + common + " &";
    }
    s.append("echo \"VPNGW-PHASE ").append(p.name()).append("\"\n");
    s.append(p.tls12Only() ? "export OPENSSL_CONF=" + tls12 + "\n" : "unset OPENSSL_CONF\n");
    s.append(start).append("\n");
    s.append("client=$!\n");
    s.append("i=0\n");
    s.append("while [ $i -lt 60 ]; do\n");
    s.append("  if ip -4 -o addr show dev ppp0 2>/dev/null | grep -q inet; then break; fi\n");
    s.append("  kill -0 $client 2>/dev/null || break\n");
    s.append("  sleep 0.5; i=$((i+1))\n");
    s.append("done\n");
    s.append("if ip -4 -o addr show dev ppp0 2>/dev/null | grep -q inet; then\n");
    s.append("  echo \"").append(m).append("-UP $(ip -4 -o addr show dev ppp0)\"\n");
    // pppd runs with nodefaultroute; the guest's only other path is eth0's own subnet (the
    // forwarded server), so everything else may go through the tunnel
    s.append("  ip route add default dev ppp0\n");
    for (String target : p.pingTargets()) {
      s.append("  n=$(ping -c 5 -i 0.3 -W 3 ").append(target)
          .append(" | sed -n 's/.* \\([0-9]*\\) received.*/\\1/p')\n");
      s.append("  echo \"").append(m).append("-PING $n ").append(target).append("\"\n");
      s.append("  n=$(ping -c 3 -s 1300 -W 3 ").append(target)
          .append(" | sed -n 's/.* \\([0-9]*\\) received.*/\\1/p')\n");
      s.append("  echo \"").append(m).append("-PING-LARGE $n ").append(target).append("\"\n");
    }
    int k = 0;
    for (String command : p.commands()) {
      s.append("  ").append(command).append("\n");
      s.append("  echo \"").append(m).append("-RESULT ").append(k++).append(" $?\"\n");
    }
    s.append("  i=0\n");
    s.append("  while [ $i -lt ").append(p.holdSeconds() * 2)
        .append(" ] && kill -0 $client 2>/dev/null; do sleep 0.5; i=$((i+1)); done\n");
    s.append("  kill -0 $client 2>/dev/null && echo \"").append(m)
        .append("-END still-up\" || echo \"").append(m).append("-END exited\"\n");
    s.append("else\n");
    s.append("  echo \"").append(m).append("-FAILED\"\n");
    s.append("fi\n");
    s.append("kill $client 2>/dev/null\n");
    s.append("wait $client 2>/dev/null\n");
    // the next phase needs ppp0 gone (pppd removes it when it exits)
    s.append("i=0; while [ $i -lt 20 ] && ip link show ppp0 >/dev/null 2>&1; do")
        .append(" sleep 0.5; i=$((i+1)); done\n");
  }

  /** A phase with no extra pppd options, pings or commands. */
  public static Phase phase(String name, Mode mode, String user, String password) {
    return new Phase(name, mode, user, password, "", true, List.of(), List.of(), 0);
  }

  /**
   * A shell command for a transfer through the tunnel: iperf3 to {@code server} for {@code
   * seconds} (from the guest, or {@code -R}: to it). The guest's file system is read-only but for
   * its tmpfs /tmp, so the JSON report is printed on one console line {@code VPNGW-IPERF-<tag>
   * <json>} (see {@link #iperf3Report}); the command's exit code is iperf3's.
   */
  public static String iperf3(String tag, String server, int port, int seconds, boolean reverse) {
    String json = "/tmp/iperf3-" + tag + ".json";
    return "iperf3 -c " + server + " -p " + port + " -t " + seconds + (reverse ? " -R" : "")
        + " -J > " + json + " 2>&1; rc=$?; echo \"VPNGW-IPERF-" + tag + " $(tr -d '\\n\\r' < "
        + json + ")\"; (exit $rc)";
  }

  /** The JSON report of {@link #iperf3} with {@code tag} in the guest's console output. */
  public static String iperf3Report(String consoleOutput, String tag) {
    String marker = "VPNGW-IPERF-" + tag + " ";
    for (String line : consoleOutput.split("\n")) {
      int at = line.indexOf(marker);
      if (at >= 0) {
        return line.substring(at + marker.length()).strip();
      }
    }
    throw new AssertionError("no iperf3 report " + tag + " in the guest's output");
  }
}
