package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.testing.Background;
import io.vpngateway.api.pki.testing.NetworkNamespace;
import io.vpngateway.api.pki.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered swanctl.conf against real strongSwan 5.9: a responder {@code charon} using the same
 * CA's server certificate runs in one private namespace, a client {@code charon} loads the rendered
 * files with an unmodified {@code swanctl --load-all} in another, and {@code swanctl --initiate}
 * must establish the IKE and CHILD SA (ESP in user space via kernel-libipsec, since this kernel has
 * no ESP). The namespaces are joined only to each other by a veth pair.
 */
class SwanctlProfileInteropTest {
  private static final String GATEWAY_ADDRESS = "10.202.0.1";
  private static final String CLIENT_ADDRESS = "10.202.0.2";
  private static final String SERVICE_ADDRESS = "10.96.0.1";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void unmodifiedStrongSwanClientEstablishesTheTunnel(@TempDir Path dir) throws Exception {
    Path charon = Path.of("/usr/lib/ipsec/charon");
    Tools.requireThat(Files.isExecutable(charon), "strongSwan charon is not installed");
    Tools.require("swanctl");
    Tools.require("ping");
    Tools.requireRoot();
    Tools.requireThat(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun is missing");
    ProfileFixture f = ProfileFixture.EC;
    ClientProfileInput input = f.input().endpointHost(GATEWAY_ADDRESS).build();
    SwanctlProfile profile = SwanctlProfileRenderer.render(input);

    Path client = Files.createDirectories(dir.resolve("client"));
    Files.writeString(client.resolve("swanctl.conf"), profile.swanctlConf());
    for (Map.Entry<String, String> file : profile.files().entrySet()) {
      Files.createDirectories(client.resolve(file.getKey()).getParent());
      Files.writeString(client.resolve(file.getKey()), file.getValue());
    }
    Path gateway = Files.createDirectories(dir.resolve("gateway"));
    writeResponder(gateway, f, input);

    try (NetworkNamespace gwNs = NetworkNamespace.create("swgw");
        NetworkNamespace clientNs = NetworkNamespace.create("swcl")) {
      link(gwNs, clientNs, dir);
      try (Background gwCharon = startCharon("gateway charon", gwNs, gateway);
          Background clientCharon = startCharon("client charon", clientNs, client)) {
        load(gwNs, gateway, gwCharon);
        var loaded = load(clientNs, client, clientCharon);
        assertTrue(loaded.output().contains("loaded connection 'gw1'"), loaded.output());
        assertTrue(
            loaded
                .output()
                .contains("loaded certificate from '" + client.resolve("x509/client.crt")),
            loaded.output());
        assertTrue(
            loaded
                .output()
                .contains("loaded ECDSA key from '" + client.resolve("private/client.key")),
            loaded.output());

        var initiate =
            clientNs.run(
                client,
                TIMEOUT,
                "swanctl",
                "--initiate",
                "--child",
                "gw1",
                "--uri",
                vici(client),
                "--timeout",
                "20");
        String log = initiate.output() + "\n" + clientCharon.output() + "\n" + gwCharon.output();
        assertEquals(0, initiate.exitCode(), log);
        assertTrue(initiate.output().contains("initiate completed successfully"), log);
        assertTrue(initiate.output().contains("CHILD_SA gw1{1} established"), log);
        var sas = clientNs.run(client, TIMEOUT, "swanctl", "--list-sas", "--uri", vici(client));
        assertTrue(sas.output().contains("AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384"), sas.output());
        assertTrue(
            sas.output().contains("10.96.0.0/12"), "split-tunnel selector:\n" + sas.output());
        assertTrue(
            sas.output().contains("10.203.0."), "virtual IP from the pool:\n" + sas.output());
        assertTrue(
            gwCharon.output().contains("authentication of 'OU=eng, CN=alice'"), gwCharon.output());
        // Traffic flows through the tunnel to the address behind the gateway.
        var ping = clientNs.run(client, TIMEOUT, "ping", "-c", "1", "-W", "5", SERVICE_ADDRESS);
        assertEquals(0, ping.exitCode(), ping.output() + "\n" + clientCharon.output());
      }
    }
  }

  @Test
  void radiusVariantLoadsWithEapCredentials(@TempDir Path dir) throws Exception {
    Tools.requireThat(
        Files.isExecutable(Path.of("/usr/lib/ipsec/charon")), "strongSwan charon is not installed");
    Tools.require("swanctl");
    SwanctlProfile profile =
        SwanctlProfileRenderer.render(
            ProfileFixture.EC
                .input()
                .passwordAuthentication(PasswordAuthentication.RADIUS)
                .build());
    assertEquals(
        Map.of(SwanctlProfileRenderer.CA_FILE, ProfileFixture.EC.client.caCertificatePem()),
        profile.files(),
        "no client key or certificate with EAP");
    Path client = Files.createDirectories(dir.resolve("client"));
    // What the user does: uncomment the secrets section and fill in the password.
    String conf = profile.swanctlConf();
    int secrets = conf.indexOf("# secrets {");
    assertTrue(secrets > 0, conf);
    String edited =
        conf.substring(0, secrets)
            + conf.substring(secrets)
                .replace("# ", "")
                .replace(SwanctlProfileRenderer.PASSWORD_PLACEHOLDER, "s3cret");
    Files.writeString(client.resolve("swanctl.conf"), edited);
    Files.createDirectories(client.resolve("x509ca"));
    Files.writeString(
        client.resolve(SwanctlProfileRenderer.CA_FILE),
        profile.files().get(SwanctlProfileRenderer.CA_FILE));
    try (NetworkNamespace ns = NetworkNamespace.create("swrad");
        Background charon = startCharon("client charon", ns, client)) {
      var loaded = load(ns, client, charon);
      assertTrue(loaded.output().contains("loaded eap secret 'eap-gw1'"), loaded.output());
      assertTrue(loaded.output().contains("loaded connection 'gw1'"), loaded.output());
      var connections = ns.run(client, TIMEOUT, "swanctl", "--list-conns", "--uri", vici(client));
      assertTrue(
          connections.output().contains("EAP_MSCHAPV2 authentication"), connections.output());
      assertTrue(connections.output().contains("eap_id: alice"), connections.output());
    }
  }

  private static void writeResponder(Path gateway, ProfileFixture f, ClientProfileInput input)
      throws Exception {
    Files.createDirectories(gateway.resolve("x509"));
    Files.createDirectories(gateway.resolve("x509ca"));
    Files.createDirectories(gateway.resolve("private"));
    Files.writeString(gateway.resolve("x509/server.crt"), f.server.certificatePem());
    Files.writeString(gateway.resolve("x509ca/ca.crt"), f.ca.certificatePem());
    Files.writeString(gateway.resolve("private/server.key"), f.server.privateKeyPem());
    Files.writeString(
        gateway.resolve("swanctl.conf"),
        """
        connections {
          rw {
            version = 2
            local_addrs = %s
            pools = clients
            proposals = %s
            local { auth = pubkey
                    certs = server.crt
                    id = %s }
            remote { auth = pubkey
                     cacerts = ca.crt }
            children { rw { local_ts = 10.96.0.0/12, 10.244.0.0/16
                            esp_proposals = %s } }
          }
        }
        pools { clients { addrs = 10.203.0.0/24 } }
        """
            .formatted(
                GATEWAY_ADDRESS,
                String.join(", ", input.ikeProposals()),
                ProfileFixture.SERVER_NAME,
                String.join(", ", input.espProposals())));
  }

  private static void link(NetworkNamespace gw, NetworkNamespace client, Path dir) {
    String gwIf = "vg" + (ProcessHandle.current().pid() % 100000);
    String clIf = "vc" + (ProcessHandle.current().pid() % 100000);
    check(
        Tools.run(
            dir,
            "ip",
            "link",
            "add",
            gwIf,
            "netns",
            gw.name(),
            "type",
            "veth",
            "peer",
            "name",
            clIf,
            "netns",
            client.name()));
    check(gw.run(dir, TIMEOUT, "ip", "addr", "add", GATEWAY_ADDRESS + "/24", "dev", gwIf));
    check(gw.run(dir, TIMEOUT, "ip", "link", "set", gwIf, "up"));
    check(client.run(dir, TIMEOUT, "ip", "addr", "add", CLIENT_ADDRESS + "/24", "dev", clIf));
    check(client.run(dir, TIMEOUT, "ip", "link", "set", clIf, "up"));
    // Addresses behind the gateway, one in each pushed route: the responder needs a source address
    // in each local traffic selector to install the route back to the client's virtual IP.
    check(gw.run(dir, TIMEOUT, "ip", "addr", "add", SERVICE_ADDRESS + "/32", "dev", "lo"));
    check(gw.run(dir, TIMEOUT, "ip", "addr", "add", "10.244.0.1/32", "dev", "lo"));
  }

  /**
   * charon writes a fixed-name pid file under /run: give it a private tmpfs there (ip netns exec
   * already runs it in a slave mount namespace, so nothing propagates to the host).
   */
  private static Background startCharon(String name, NetworkNamespace ns, Path config)
      throws Exception {
    Path conf = config.resolve("strongswan.conf");
    Files.writeString(
        conf,
        """
        charon {
          load_modular = no
          load = random nonce openssl sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey revocation constraints kernel-libipsec kernel-netlink socket-default vici
          plugins { vici { socket = unix://%s } }
          filelog { stderr { default = 1 ike = 2 } }
          syslog { daemon { default = -1 } }
        }
        """
            .formatted(config.resolve("charon.vici")));
    Background charon =
        Background.start(
            name,
            config,
            ns.exec(
                "env",
                "STRONGSWAN_CONF=" + conf,
                "sh",
                "-c",
                "mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon"));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(config.resolve("charon.vici"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("charon did not open its vici socket\n" + charon.output());
      }
      Thread.sleep(25);
    }
    return charon;
  }

  private static Tools.Result load(NetworkNamespace ns, Path config, Background charon) {
    var result =
        ns.run(
            config,
            TIMEOUT,
            "swanctl",
            "--load-all",
            "--file",
            config.resolve("swanctl.conf").toString(),
            "--uri",
            vici(config));
    assertEquals(0, result.exitCode(), result.output() + "\n" + charon.output());
    // swanctl exits 0 even when it skips a section it cannot parse or load: check the text too.
    assertFalse(result.output().contains("syntax error"), result.output());
    assertFalse(
        result.output().lines().anyMatch(l -> l.startsWith("loading") && l.contains("failed")),
        result.output());
    return result;
  }

  private static String vici(Path config) {
    return "unix://" + config.resolve("charon.vici");
  }

  private static void check(Tools.Result result) {
    assertEquals(0, result.exitCode(), result.output());
  }
}
