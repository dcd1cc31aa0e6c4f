package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.lab.QemuGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shell script the QEMU guest runs: the unmodified Debian pppd + sstpc connect to the
 * forwarded gateway, then the script reports with marker lines the test waits for:
 *
 * <pre>
 *   VPNGW-PPP-UP &lt;ppp0 address line&gt;     IPCP done, ppp0 has its address
 *   VPNGW-PING &lt;received&gt; &lt;target&gt;       replies to 5 pings of the target
 *   VPNGW-RESULT &lt;name&gt; &lt;rc&gt;             the exit code of each extra command
 *   VPNGW-DONE                             the script ended (pppd stopped)
 * </pre>
 */
public final class SstpGuestScript {
  /** How the client is started. */
  public enum Mode {
    /** {@code pppd ... plugin sstp-pppd-plugin.so pty "sstpc --nolaunchpppd ..."}. */
    PPPD_PLUGIN,
    /** {@code sstpc --user U --password P HOST <pppd options>}: sstpc starts pppd itself. */
    SSTPC_USER_PASSWORD
  }

  private SstpGuestScript() {}

  /**
   * Writes the script into {@code dir}.
   *
   * @param pingTarget an address behind the gateway to ping through the tunnel
   * @param extra shell commands run after the pings, each reported with VPNGW-RESULT
   * @param holdSeconds how long to keep the tunnel up after the commands (for server-side
   *     actions such as a revocation; the script ends earlier when pppd exits)
   */
  public static Path write(
      Path dir,
      Mode mode,
      String user,
      String password,
      Path caFile,
      String pingTarget,
      java.util.List<String> extra,
      int holdSeconds)
      throws IOException {
    String common =
        "noauth noipdefault nodefaultroute refuse-pap refuse-chap refuse-mschap refuse-eap"
            + " nobsdcomp nodeflate noccp novj mru 1400 mtu 1400 lcp-echo-interval 0";
    String start;
    if (mode == Mode.PPPD_PLUGIN) {
      start =
          "pppd nodetach "
              + common
              + " name "
              + user
              + " password '"
              + password
              + "' remotename srv plugin sstp-pppd-plugin.so sstp-sock /var/run/sstpc/sstpc-t1"
              + " pty \"sstpc --ipparam t1 --nolaunchpppd --log-stderr --log-level 3 --ca-cert "
              + caFile
              + " "
              + QemuGuest.SERVER_ADDRESS
              + "\" &";
    } else {
      start =
          "sstpc --ipparam t1 --log-stderr --log-level 3 --user "
              + user
              + " --password '"
              + password
              + "' --ca-cert "
              + caFile
              + " "
              + QemuGuest.SERVER_ADDRESS
              + " "
              + common
              + " &";
    }
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
    s.append("ip link set lo up\n");
    s.append("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up\n");
    s.append("mkdir -p /var/run/sstpc /run/lock\n");
    s.append(start).append("\n");
    s.append("client=$!\n");
    s.append("i=0\n");
    s.append("while [ $i -lt 60 ]; do\n");
    s.append("  if ip -4 -o addr show dev ppp0 2>/dev/null | grep -q inet; then break; fi\n");
    s.append("  kill -0 $client 2>/dev/null || break\n");
    s.append("  sleep 0.5; i=$((i+1))\n");
    s.append("done\n");
    s.append("if ip -4 -o addr show dev ppp0 2>/dev/null | grep -q inet; then\n");
    s.append("  echo \"VPNGW-PPP-UP $(ip -4 -o addr show dev ppp0)\"\n");
    if (pingTarget != null) {
      s.append("  n=$(ping -c 5 -i 0.3 -W 3 ").append(pingTarget)
          .append(" | sed -n 's/.* \\([0-9]*\\) received.*/\\1/p')\n");
      s.append("  echo \"VPNGW-PING $n ").append(pingTarget).append("\"\n");
      s.append("  n=$(ping -c 3 -s 1300 -W 3 ").append(pingTarget)
          .append(" | sed -n 's/.* \\([0-9]*\\) received.*/\\1/p')\n");
      s.append("  echo \"VPNGW-PING-LARGE $n ").append(pingTarget).append("\"\n");
    }
    int k = 0;
    for (String command : extra) {
      s.append("  ").append(command).append("\n");
      s.append("  echo \"VPNGW-RESULT ").append(k++).append(" $?\"\n");
    }
    s.append("  i=0\n");
    s.append("  while [ $i -lt ").append(holdSeconds * 2)
        .append(" ] && kill -0 $client 2>/dev/null; do sleep 0.5; i=$((i+1)); done\n");
    s.append("  kill -0 $client 2>/dev/null && echo VPNGW-STILL-UP || echo VPNGW-CLIENT-EXITED\n");
    s.append("else\n");
    s.append("  echo VPNGW-PPP-FAILED\n");
    s.append("fi\n");
    s.append("kill $client 2>/dev/null\n");
    s.append("wait $client 2>/dev/null\n");
    s.append("echo VPNGW-DONE\n");
    Path script = dir.resolve("guest-" + mode.name().toLowerCase() + ".sh");
    Files.writeString(script, s.toString());
    return script;
  }
}
