package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
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
    Prerequisites.require(Files.isExecutable(charon), "strongSwan charon is not installed");
    Prerequisites.requireBinary("swanctl");
    Prerequisites.requireBinary("ping");
    Prerequisites.requireRoot();
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

    // the lab's client and gateway namespaces are joined by a veth on 10.202.0.0/24: the gateway
    // is .1 (GATEWAY_ADDRESS), the client .2 (CLIENT_ADDRESS)
    try (NetnsLab lab = NetnsLab.create("swanctl", "10.202.0.0/24", "10.202.9.0/24")) {
      Netns gwNs = lab.gateway();
      Netns clientNs = lab.client();
      addServiceAddresses(gwNs, dir);
      try (LabProcess gwCharon = startCharon("gateway charon", gwNs, gateway);
          LabProcess clientCharon = startCharon("client charon", clientNs, client)) {
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
    Prerequisites.require(
        Files.isExecutable(Path.of("/usr/lib/ipsec/charon")), "strongSwan charon is not installed");
    Prerequisites.requireBinary("swanctl");
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
    try (NetnsLab lab = NetnsLab.create("swanctlrad", "10.202.10.0/24", "10.202.11.0/24");
        LabProcess charon = startCharon("client charon", lab.client(), client)) {
      Netns ns = lab.client();
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

  private static void addServiceAddresses(Netns gw, Path dir) {
    // Addresses behind the gateway, one in each pushed route: the responder needs a source address
    // in each local traffic selector to install the route back to the client's virtual IP.
    check(gw.run(dir, TIMEOUT, "ip", "addr", "add", SERVICE_ADDRESS + "/32", "dev", "lo"));
    check(gw.run(dir, TIMEOUT, "ip", "addr", "add", "10.244.0.1/32", "dev", "lo"));
  }

  /**
   * charon writes a fixed-name pid file under /run: give it a private tmpfs there (ip netns exec
   * already runs it in a slave mount namespace, so nothing propagates to the host).
   */
  private static LabProcess startCharon(String name, Netns ns, Path config)
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
    LabProcess charon =
        ns.startIn(config, name, "env",
                "STRONGSWAN_CONF=" + conf,
                "sh",
                "-c",
                "mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon");
    Wait.until(
        name + " opening its vici socket",
        TIMEOUT,
        () -> Files.exists(config.resolve("charon.vici")),
        charon::output);
    return charon;
  }

  private static ExecResult load(Netns ns, Path config, LabProcess charon) {
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

  private static void check(ExecResult result) {
    assertEquals(0, result.exitCode(), result.output());
  }
}
