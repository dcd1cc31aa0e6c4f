package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The IKEv2 interop lab: a {@link NetnsLab} (client — gateway — backend) whose gateway namespace
 * runs the production entry point, {@code vpngw serve --config DIR/config.yaml} on Java 25 as a
 * child JVM (as in a pod), from a directory prepared the way {@code vpngw serve -f} prepares it
 * (CA, server certificate for the gateway's outer address, config rendered from a VpnGateway).
 * A test may adjust the rendered config (proposals, timers) before the gateway starts. Clients
 * get their credentials and profiles from {@code vpngw issue}.
 */
public final class Ikev2Lab implements AutoCloseable {
  private static final String VPNGW = "io.vpngateway.gateway.cli.Vpngw";

  private final NetnsLab lab;
  private final Path state;
  private final String gatewayName;
  private GatewayConfig config;
  private LabProcess gateway;

  private Ikev2Lab(NetnsLab lab, Path state, String gatewayName, GatewayConfig config) {
    this.lab = lab;
    this.state = state;
    this.gatewayName = gatewayName;
    this.config = config;
  }

  /**
   * Builds the lab and starts the gateway.
   *
   * @param vpnGatewayYaml the VpnGateway; {@code %BACKEND%} is replaced by the backend /24
   * @param tweak changes to the rendered config document before the gateway reads it
   */
  public static Ikev2Lab start(
      String testName,
      String outerSubnet,
      String backendSubnet,
      String vpnGatewayYaml,
      UnaryOperator<GatewayConfig> tweak)
      throws Exception {
    return start(testName, outerSubnet, backendSubnet, vpnGatewayYaml, tweak, KeySpec.EC_P256);
  }

  /** As above, with a server certificate of {@code serverKey} from the same CA. */
  public static Ikev2Lab start(
      String testName,
      String outerSubnet,
      String backendSubnet,
      String vpnGatewayYaml,
      UnaryOperator<GatewayConfig> tweak,
      KeySpec serverKey)
      throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("nft");
    StrongSwanClient.requireInstalled();
    NetnsLab lab = NetnsLab.create(testName, outerSubnet, backendSubnet);
    try {
      // a VpnGateway, possibly followed by the Secret documents it references (RADIUS secrets)
      GatewayFile file =
          GatewayFile.parse(vpnGatewayYaml.replace("%BACKEND%", backendSubnet), testName);
      VpnGateway cr = file.gateway();
      Path state = lab.workDir().resolve("state");
      StateDirectory dir = StateDirectory.open(state);
      GatewayConfig rendered =
          dir.prepare(file, List.of(lab.gatewayOuterAddress()), Instant.now());
      if (!serverKey.equals(KeySpec.EC_P256)) {
        IssuedCertificate server =
            dir.certificateAuthority()
                .issueServerCertificate(
                    new ServerCertificateRequest(
                        lab.gatewayOuterAddress(),
                        List.of(),
                        List.of(lab.gatewayOuterAddress()),
                        serverKey,
                        ServerCertificateRequest.DEFAULT_VALIDITY),
                    Instant.now());
        Files.writeString(state.resolve(rendered.files().serverCertificate()),
            server.certificatePem());
        Files.writeString(state.resolve(rendered.files().serverKey()), server.privateKeyPem());
      }
      GatewayConfig config = tweak.apply(rendered);
      Files.writeString(state.resolve("config.yaml"), GatewayConfigCodec.write(config));
      Ikev2Lab ikev2 = new Ikev2Lab(lab, state, cr.getMetadata().getName(), config);
      ikev2.startGateway();
      return ikev2;
    } catch (Exception | Error e) {
      lab.close();
      throw e;
    }
  }

  private void startGateway() {
    gateway =
        lab.gateway()
            .start(
                "vpngw-serve",
                Map.of(),
                NetnsLab.javaBinary(true).toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dvpngw.warmup.handshakes="
                    + io.vpngateway.gateway.testing.ServedGateway.TEST_WARMUP_HANDSHAKES,
                "-cp",
                NetnsLab.testClasspath(),
                VPNGW,
                "serve",
                "--config",
                state.resolve("config.yaml").toString());
    gateway.awaitLine("gateway \\S+ ready", Duration.ofSeconds(120));
  }

  public NetnsLab lab() {
    return lab;
  }

  public LabProcess gateway() {
    return gateway;
  }

  /** The config document the gateway runs now (as started, or as last {@link #reload}ed). */
  public GatewayConfig config() {
    return config;
  }

  public Path stateDir() {
    return state;
  }

  /**
   * Issues a client certificate with the real CLI ({@code vpngw issue}) and returns the directory
   * with its credentials and profiles.
   *
   * @param algorithm {@code ECDSA} or {@code RSA}
   */
  public Path issue(String name, String algorithm, List<String> groups) throws Exception {
    return issue(name, name, algorithm, groups);
  }

  /**
   * As {@link #issue(String, String, List)} with another common name (an e-mail address gets an
   * rfc822Name subjectAltName, which strongSwan's {@code eap_id} can name).
   */
  public Path issue(String name, String commonName, String algorithm, List<String> groups)
      throws Exception {
    int size = algorithm.equals("RSA") ? 2048 : 256;
    String yaml =
        """
        apiVersion: vpngateway.io/v1alpha1
        kind: ClientCertificate
        metadata:
          name: %s
          namespace: default
        spec:
          gatewayRef:
            name: %s
          commonName: %s
          groups: [%s]
          duration: 2160h
          privateKey:
            algorithm: %s
            size: %d
          secretName: %s-vpn
        """
            .formatted(name, gatewayName, commonName, String.join(", ", groups), algorithm, size,
                name);
    Path file = lab.workDir().resolve(name + ".yaml");
    Files.writeString(file, yaml);
    Path out = lab.workDir().resolve("issued-" + name);
    assertEquals(
        0,
        Vpngw.run(
            "issue", "-f", file.toString(), "--state-dir", state.toString(), "--out",
            out.toString()));
    return out;
  }

  /** A strongSwan client with the profile of {@code issued} installed and loaded. */
  public StrongSwanClient client(String label, Path issued) throws Exception {
    StrongSwanClient c =
        StrongSwanClient.start(lab.client(), lab.workDir().resolve("charon-" + label), label);
    c.installProfile(issued);
    c.loadAll();
    return c;
  }

  /**
   * {@code vpngw COMMAND ... --state-dir DIR} (the management API's client) run in this JVM on a
   * thread inside the gateway namespace, so it reaches the management port on the gateway's
   * loopback without a JVM start; returns what it printed.
   */
  public String vpngw(String... args) throws Exception {
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--state-dir";
    full[args.length + 1] = state.toString();
    return lab.gateway()
        .callInside(
            () -> {
              synchronized (Ikev2Lab.class) {
                java.io.PrintStream old = System.out;
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                System.setOut(new java.io.PrintStream(out, true, "UTF-8"));
                try {
                  int rc = Vpngw.run(full);
                  assertEquals(0, rc, "vpngw " + String.join(" ", full) + ":\n" + out);
                } finally {
                  System.setOut(old);
                }
                return out.toString("UTF-8");
              }
            });
  }

  /**
   * Rewrites the running gateway's {@code config.yaml} with {@code change} applied (what the
   * operator's Secret update or {@code serve -f}'s re-render does) and waits until the gateway's
   * watcher has applied it; returns the new document.
   */
  public GatewayConfig reload(UnaryOperator<GatewayConfig> change) throws Exception {
    int before = reloads();
    config = change.apply(config);
    Files.writeString(state.resolve("config.yaml"), GatewayConfigCodec.write(config));
    gateway.awaitOccurrences("config reloaded from", before + 1, Duration.ofSeconds(20));
    return config;
  }

  private int reloads() {
    return gateway.output().split("config reloaded from", -1).length - 1;
  }

  /** {@code GET /refusals} of the management API: the recent refusals, oldest first. */
  public JsonNode refusals() throws Exception {
    return new ObjectMapper()
        .readTree(ServedGateway.get(lab.gateway(), state, config, "/refusals"));
  }

  /** A copy of {@code c} with other crypto and IKEv2 sections. */
  public static GatewayConfig with(
      GatewayConfig c, GatewayConfig.Crypto crypto, GatewayConfig.Ikev2 ikev2) {
    return new GatewayConfig(
        c.version(), c.gateway(), c.protocols(), c.listen(), c.replicas(), c.maxConnections(),
        c.pools(), c.routing(), c.dns(), c.tunnel(), c.authentication(), crypto, c.openvpn(), ikev2,
        c.management(), c.files());
  }

  /** A copy of {@code c} with other authentication settings. */
  public static GatewayConfig withAuthentication(
      GatewayConfig c, GatewayConfig.Authentication authentication) {
    return new GatewayConfig(
        c.version(), c.gateway(), c.protocols(), c.listen(), c.replicas(), c.maxConnections(),
        c.pools(), c.routing(), c.dns(), c.tunnel(), authentication, c.crypto(), c.openvpn(),
        c.ikev2(), c.management(), c.files());
  }

  /** A copy of {@code c} with another connection budget (over all protocols). */
  public static GatewayConfig withMaxConnections(GatewayConfig c, int maxConnections) {
    return new GatewayConfig(
        c.version(), c.gateway(), c.protocols(), c.listen(), c.replicas(), maxConnections,
        c.pools(), c.routing(), c.dns(), c.tunnel(), c.authentication(), c.crypto(), c.openvpn(),
        c.ikev2(), c.management(), c.files());
  }

  /** A copy of {@code c} with other IKE and ESP proposals. */
  public static GatewayConfig withProposals(GatewayConfig c, List<String> ike, List<String> esp) {
    GatewayConfig.Crypto k = c.crypto();
    return with(
        c,
        new GatewayConfig.Crypto(k.preset(), ike, esp, k.tlsMinVersion(), k.tlsCipherSuites(),
            k.dataCiphers()),
        c.ikev2OrDefaults());
  }

  @Override
  public void close() {
    lab.close();
  }
}
