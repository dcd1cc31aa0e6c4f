package io.vpngateway.gateway.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.testing.Fuzzing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the config document loader's parser: whatever {@code config.yaml} holds (the operator
 * writes it, but a hand-edited standalone file or a torn write can hold anything), {@link
 * GatewayConfigCodec#read} returns a valid config or throws {@link InvalidConfigException} with
 * the field; the loader then keeps the last good config. Any other exception would escape the
 * reload path. Seeds in every build plus seeded mutations of a rendered document and of YAML
 * edge cases (anchors and aliases, deep nesting, tags); {@code JAZZER_FUZZ=1 mvn -pl
 * gateway-image test -Dtest='ConfigDocumentFuzzTest#configDocument'} fuzzes for real.
 */
class ConfigDocumentFuzzTest {
  static {
    Fuzzing.scope();
  }

  private static final String CR = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata: {name: fuzz, namespace: default}
      spec:
        protocols: [OpenVPN, IKEv2, SSTP]
        maxConnections: 250
        clientAddressPools:
          - cidr: 10.200.0.0/16
        routing:
          routes: [10.0.0.0/8]
      """;

  @FuzzTest(maxDuration = "60s")
  void configDocument(byte[] data) {
    parse(new String(data, StandardCharsets.UTF_8));
  }

  private static void parse(String yaml) {
    try {
      GatewayConfig c = GatewayConfigCodec.read(yaml);
      // what the loader does next with a valid document
      GatewayConfigCodec.write(c);
    } catch (InvalidConfigException expected) {
      // typed refusal: the last good config keeps running
    }
  }

  @Test
  void mutatedDocuments() {
    String rendered = GatewayConfigCodec.write(GatewayConfigRenderer.render(
        Serialization.unmarshal(CR, VpnGateway.class), RenderDefaults.standalone()));
    parse(rendered); // the seed itself is valid
    List<byte[]> seeds = List.of(
        rendered.getBytes(StandardCharsets.UTF_8),
        "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n"
            .getBytes(StandardCharsets.UTF_8),
        ("x: " + "[".repeat(300) + "]".repeat(300) + "\n").getBytes(StandardCharsets.UTF_8),
        "maxConnections: !!float 1e400\nreplicas: !!java.lang.Object {}\n"
            .getBytes(StandardCharsets.UTF_8),
        "--- \n...\n--- [1]\n".getBytes(StandardCharsets.UTF_8));
    Fuzzing.mutateAndRun(seeds, 0xC0F16, 400,
        b -> parse(new String(b, StandardCharsets.UTF_8)));
  }
}
