package io.vpngateway.gateway.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Prepared config directories from the repository's examples, for config and runtime tests. */
public final class GatewayFixture {
  private GatewayFixture() {}

  /** The repository's {@code examples/} directory (tests run in the module directory). */
  public static Path examples() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("pom.xml"))) {
        return p.resolve("examples");
      }
    }
    throw new IllegalStateException("no examples/ directory above " + here);
  }

  public static VpnGateway minimalGateway() throws IOException {
    return Serialization.unmarshal(
        Files.readString(examples().resolve("gateway-minimal.yaml")), VpnGateway.class);
  }

  /** A state directory prepared for the minimal example, endpoint 127.0.0.1. */
  public static StateDirectory preparedState(Path dir) throws Exception {
    StateDirectory state = StateDirectory.open(dir);
    state.prepare(minimalGateway(), List.of("127.0.0.1"), Instant.now());
    return state;
  }
}
