package io.vpngateway.gateway.ikev2.lab;

import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real strongSwan client: an unmodified {@code charon} (Debian's strongSwan 5.9 with the
 * kernel-libipsec plugin, since this kernel has no ESP) in a lab namespace, driven with {@code
 * swanctl} over its own vici socket, as PEERS.md describes: the explicit plugin list (with {@code
 * kdf}, {@code openssl} and {@code kernel-libipsec}), credentials under {@code x509/}, {@code
 * x509ca/} and {@code private/} next to swanctl.conf, and a private tmpfs over {@code /run}
 * (charon writes a fixed-name pid file there; {@code ip netns exec} already gives it a mount
 * namespace of its own, so nothing reaches the host).
 */
public final class StrongSwanClient implements AutoCloseable {
  static final Path CHARON = Path.of("/usr/lib/ipsec/charon");
  private static final Duration TIMEOUT = Duration.ofSeconds(40);
  static final String PLUGINS =
      "random nonce openssl sha1 sha2 hmac kdf gcm pem pkcs1 pkcs8 x509 pubkey revocation"
          + " constraints curve25519 eap-identity eap-mschapv2 eap-tls kernel-libipsec kernel-netlink"
          + " socket-default vici";

  private final Netns ns;
  private final Path dir;
  private final LabProcess charon;

  private StrongSwanClient(Netns ns, Path dir, LabProcess charon) {
    this.ns = ns;
    this.dir = dir;
    this.charon = charon;
  }

  /** Skips (or fails under CI) unless charon, swanctl and its plugins are installed. */
  public static void requireInstalled() {
    Prerequisites.require(Files.isExecutable(CHARON), "strongSwan charon is not installed");
    Prerequisites.requireBinary("swanctl");
    for (String plugin :
        List.of("kernel-libipsec", "openssl", "kdf", "curve25519", "eap-mschapv2", "eap-tls")) {
      Prerequisites.require(
          Files.exists(Path.of("/usr/lib/ipsec/plugins/libstrongswan-" + plugin + ".so")),
          "strongSwan plugin " + plugin + " is not installed");
    }
  }

  /** Starts charon in {@code ns} with its files in {@code dir} (created). */
  public static StrongSwanClient start(Netns ns, Path dir, String label) throws IOException {
    requireInstalled();
    Files.createDirectories(dir.resolve("x509"));
    Files.createDirectories(dir.resolve("x509ca"));
    Files.createDirectories(dir.resolve("private"));
    Path conf = dir.resolve("strongswan.conf");
    Files.writeString(
        conf,
        """
        charon {
          load_modular = no
          load = %s
          plugins { vici { socket = unix://%s } }
          filelog { stderr { default = 1 ike = 2 cfg = 2 knl = 1 } }
          syslog { daemon { default = -1 } }
        }
        """
            .formatted(PLUGINS, dir.resolve("charon.vici")));
    LabProcess charon =
        ns.start(
            label,
            Map.of("STRONGSWAN_CONF", conf.toString()),
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /run && exec " + CHARON);
    charon.awaitLine("charon .*starting|spawning \\d+ worker threads", TIMEOUT);
    Wait.until(
        "charon opening its vici socket",
        TIMEOUT,
        () -> {
          if (!charon.isAlive()) {
            throw new AssertionError("charon exited before opening its vici socket\n" + charon.tail());
          }
          return Files.exists(dir.resolve("charon.vici"));
        },
        charon::tail);
    return new StrongSwanClient(ns, dir, charon);
  }

  public Path dir() {
    return dir;
  }

  public LabProcess charon() {
    return charon;
  }

  /**
   * Installs a profile written by {@code vpngw issue} exactly as its {@code swanctl-README.txt}
   * says: swanctl.conf as is, ca.crt to x509ca/ca.crt, tls.crt to x509/client.crt, tls.key to
   * private/client.key.
   */
  public void installProfile(Path issued) throws IOException {
    Files.copy(issued.resolve("swanctl.conf"), dir.resolve("swanctl.conf"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(issued.resolve("ca.crt"), dir.resolve("x509ca/ca.crt"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(issued.resolve("tls.crt"), dir.resolve("x509/client.crt"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(issued.resolve("tls.key"), dir.resolve("private/client.key"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Replaces swanctl.conf (for variants of the profile, e.g. other proposals). */
  public void writeConfig(String swanctlConf) throws IOException {
    Files.writeString(dir.resolve("swanctl.conf"), swanctlConf);
  }

  public String config() throws IOException {
    return Files.readString(dir.resolve("swanctl.conf"));
  }

  /** {@code swanctl ARGS --uri <our vici>}. */
  public ExecResult swanctl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("swanctl");
    cmd.addAll(List.of(args));
    cmd.add("--uri");
    cmd.add("unix://" + dir.resolve("charon.vici"));
    return ns.exec(TIMEOUT, cmd.toArray(String[]::new));
  }

  /** {@code swanctl --load-all}; fails unless everything loaded. */
  public ExecResult loadAll() {
    ExecResult r = swanctl("--load-all", "--clear", "--file", dir.resolve("swanctl.conf").toString());
    if (!r.ok()
        || r.output().contains("syntax error")
        || r.output().lines().anyMatch(l -> l.startsWith("loading") && l.contains("failed"))) {
      throw new AssertionError("swanctl --load-all failed:\n" + r.output() + "\n" + charon.tail());
    }
    return r;
  }

  /** {@code swanctl --initiate --child CHILD}; the result tells whether it worked. */
  public ExecResult initiate(String child) {
    return swanctl("--initiate", "--child", child, "--timeout", "30");
  }

  /** Initiates and fails with both sides' output unless the CHILD_SA came up. */
  public ExecResult connect(String child, LabProcess gateway) {
    ExecResult r = initiate(child);
    if (!r.ok() || !r.output().contains("initiate completed successfully")) {
      throw new AssertionError(
          "swanctl --initiate failed:\n" + r.output() + "\n--- charon:\n" + charon.tail()
              + "\n--- gateway:\n" + gateway.tail());
    }
    return r;
  }

  public ExecResult terminate(String ike) {
    return swanctl("--terminate", "--ike", ike, "--timeout", "10");
  }

  public String listSas() {
    return swanctl("--list-sas").output();
  }

  /** The inner address the gateway assigned (charon's virtual IP), from its log. */
  public String virtualIp() {
    String line = charon.awaitLine("installing new virtual IP", Duration.ofSeconds(5));
    return line.replaceAll(".*installing new virtual IP (\\S+).*", "$1");
  }

  @Override
  public void close() {
    charon.close();
  }
}
