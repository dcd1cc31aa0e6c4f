package io.vpngateway.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The production gateway as a pod runs it, for the interop tests: a config directory rendered
 * from a VpnGateway CR by the standalone code ({@link StateDirectory#prepare}, the same renderer
 * the operator uses), then {@code bin/vpngw serve --config DIR/config.yaml} — the distribution's
 * own launcher script, so its Java choice and JVM options are the ones users get — as a child
 * process inside a lab namespace. The only difference from the packaged distribution is the class
 * path: this module's compiled classes and runtime dependencies ({@code VPNGW_CLASSPATH}, written
 * by the build to {@code target/runtime-classpath.txt}) instead of {@code lib/*}.
 *
 * <p>What the tests used to read from a test-only server's counters they read from the management
 * API ({@code /metrics}, {@code /sessions}), called from inside the gateway's namespace.
 */
public final class ServedGateway {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([-+0-9.eE]+|NaN)$");

  private final Path dir;
  private final LabProcess process;
  private final Netns ns;
  private final GatewayConfig config;

  private ServedGateway(Path dir, LabProcess process, Netns ns, GatewayConfig config) {
    this.dir = dir;
    this.process = process;
    this.ns = ns;
    this.config = config;
  }

  /**
   * Renders {@code gatewayYaml} (a VpnGateway) into {@code dir} as {@code vpngw serve -f} does,
   * with the CA valid from a week ago (so it can also issue already-expired client certificates).
   * Returns the state directory, whose CA issues the test's client certificates.
   */
  public static StateDirectory prepare(Path dir, String gatewayYaml, String endpoint)
      throws Exception {
    StateDirectory state = StateDirectory.open(dir);
    state.prepare(
        Serialization.unmarshal(gatewayYaml, VpnGateway.class),
        List.of(endpoint),
        Instant.now().minus(Duration.ofDays(7)));
    return state;
  }

  /**
   * As {@link #prepare(Path, String, String)} from a {@code vpngw serve -f} file: the VpnGateway
   * and, as further documents, the Secrets it references (RADIUS shared secrets).
   */
  public static StateDirectory prepare(Path dir, GatewayFile file, String endpoint)
      throws Exception {
    StateDirectory state = StateDirectory.open(dir);
    state.prepare(file, List.of(endpoint), Instant.now().minus(Duration.ofDays(7)));
    return state;
  }

  /**
   * Lets {@code edit} change the prepared document as a YAML tree (fields a CR does not expose,
   * such as OpenVPN timers, or revoked thumbprints of certificates issued after {@link
   * #prepare}), checks the result with the gateway's own codec, and starts {@code vpngw serve
   * --config} in {@code ns} on {@code java}. Returns once the gateway logged that it is ready.
   */
  /** Start-up warm-up handshakes per protocol of a test gateway ({@code vpngw.warmup.handshakes}). */
  public static final int TEST_WARMUP_HANDSHAKES = 20;

  public static ServedGateway start(Netns ns, Path dir, Consumer<ObjectNode> edit, Path java)
      throws Exception {
    return start(ns, dir, edit, java, Map.of());
  }

  /**
   * As {@link #start(Netns, Path, Consumer, Path)}, with more environment for the launcher (e.g.
   * {@code VPNGW_JAVA_OPTS}).
   */
  public static ServedGateway start(
      Netns ns, Path dir, Consumer<ObjectNode> edit, Path java, Map<String, String> extraEnv)
      throws Exception {
    Path configFile = dir.resolve(ConfigDirectoryLoader.CONFIG_FILE);
    ObjectNode tree = (ObjectNode) YAML.readTree(Files.readString(configFile));
    edit.accept(tree);
    String yaml = YAML.writeValueAsString(tree);
    GatewayConfig config = GatewayConfigCodec.read(yaml);
    Files.writeString(configFile, yaml);
    Map<String, String> env = new HashMap<>();
    env.put("VPNGW_JAVA", java.toString());
    env.put("VPNGW_CLASSPATH", runtimeClasspath());
    // a short start-up warm-up (the default is 500 handshakes per protocol): every test still
    // runs it before its real clients, without each gateway start costing up to 15 s per protocol
    env.put("VPNGW_JAVA_OPTS", "-Dvpngw.warmup.handshakes=" + TEST_WARMUP_HANDSHAKES);
    env.putAll(extraEnv);
    LabProcess process =
        ns.start(
            "vpngw-serve", env, launcher().toString(), "serve", "--config", configFile.toString());
    // generous: a JVM start on a loaded 2-core machine can take long; this only bounds a hang
    process.awaitLine("gateway \\S+ ready", Duration.ofSeconds(120));
    return new ServedGateway(dir, process, ns, config);
  }

  /** The distribution's launcher, {@code src/main/dist/bin/vpngw}. */
  public static Path launcher() {
    Path p = Path.of("src/main/dist/bin/vpngw").toAbsolutePath();
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException("the vpngw launcher is not at " + p);
    }
    return p;
  }

  /** This module's classes and its runtime dependencies, as the build resolved them. */
  public static String runtimeClasspath() throws IOException {
    Path file = Path.of("target/runtime-classpath.txt");
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          file.toAbsolutePath() + " is missing: run the tests through Maven (it writes the file)");
    }
    return Path.of("target/classes").toAbsolutePath() + ":" + Files.readString(file).trim();
  }

  public LabProcess process() {
    return process;
  }

  public Path directory() {
    return dir;
  }

  public GatewayConfig config() {
    return config;
  }

  public StateDirectory state() throws Exception {
    return StateDirectory.open(dir);
  }

  /** {@code GET /metrics}: every sample, keyed {@code name} or {@code name{labels}} as printed. */
  public Map<String, Double> metrics() throws Exception {
    Map<String, Double> samples = new HashMap<>();
    for (String line : get("/metrics").split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (m.matches()) {
        samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
      }
    }
    return samples;
  }

  /**
   * The sum of the samples of {@code name} whose labels include every {@code label="value"} pair
   * given (as {@code "label", "value", ...}); 0 when the gateway prints none (yet).
   */
  public long metric(String name, String... labels) throws Exception {
    double sum = 0;
    for (Map.Entry<String, Double> e : metrics().entrySet()) {
      String key = e.getKey();
      if (!key.equals(name) && !key.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= key.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        sum += e.getValue();
      }
    }
    return (long) sum;
  }

  /** {@code GET /sessions}: the live sessions as the management API lists them. */
  public JsonNode sessions() throws Exception {
    return JSON.readTree(get("/sessions"));
  }

  /** {@code GET /refusals}: the recently refused clients, newest last. */
  public JsonNode refusals() throws Exception {
    return JSON.readTree(get("/refusals"));
  }

  /** {@code DELETE /sessions/{id}}: the HTTP status (204 ended, 404 unknown). */
  public int disconnect(String sessionId) throws Exception {
    String token = Files.readString(dir.resolve(config.files().managementToken())).trim();
    Opener opener = opener(dir, config);
    return ns.callInside(
        () -> {
          HttpURLConnection c = opener.open("/sessions/" + sessionId);
          c.setRequestMethod("DELETE");
          c.setRequestProperty("Authorization", "Bearer " + token);
          c.setConnectTimeout(5000);
          c.setReadTimeout(10000);
          try {
            return c.getResponseCode();
          } finally {
            c.disconnect();
          }
        });
  }

  private String get(String path) throws Exception {
    return get(ns, dir, config, path);
  }

  /**
   * {@code GET path} of the management API of the gateway serving {@code config} from {@code
   * dir} inside {@code ns} (token from the directory, port from the config); the body of a 200.
   */
  public static String get(Netns ns, Path dir, GatewayConfig config, String path)
      throws Exception {
    String token = Files.readString(dir.resolve(config.files().managementToken())).trim();
    Opener opener = opener(dir, config);
    // the management port listens inside the gateway's namespace: connect from a thread there
    return ns.callInside(
        () -> {
          HttpURLConnection c = opener.open(path);
          c.setRequestProperty("Authorization", "Bearer " + token);
          c.setConnectTimeout(5000);
          c.setReadTimeout(10000);
          try (InputStream in = c.getInputStream()) {
            if (c.getResponseCode() != 200) {
              throw new IOException(path + " answered " + c.getResponseCode());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } finally {
            c.disconnect();
          }
        });
  }

  /** Opens a connection to a management API path (call it inside the gateway's namespace). */
  private interface Opener {
    HttpURLConnection open(String path) throws IOException;
  }

  /**
   * https trusting only the directory's CA and checking the gateway's management identity, as the
   * operator and {@code vpngw} do; plain http for a config without a management certificate.
   */
  private static Opener opener(Path dir, GatewayConfig config) throws IOException {
    int port = config.management().port();
    if (config.files().managementCertificate() == null) {
      return path ->
          (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    }
    javax.net.ssl.SSLContext trustGatewayCa =
        ManagementTls.clientContext(
            Pem.decodeCertificate(Files.readString(dir.resolve(config.files().caCertificate()))),
            ManagementTls.identity(config.gateway().namespace(), config.gateway().name()));
    return path -> {
      javax.net.ssl.HttpsURLConnection c =
          (javax.net.ssl.HttpsURLConnection)
              URI.create("https://127.0.0.1:" + port + path).toURL().openConnection();
      c.setSSLSocketFactory(trustGatewayCa.getSocketFactory());
      return c;
    };
  }
}
