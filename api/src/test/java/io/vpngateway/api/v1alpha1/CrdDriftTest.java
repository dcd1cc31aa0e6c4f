package io.vpngateway.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed {@code crds/} must equal what the Fabric8 CRD generator makes from the Java types
 * at this build. Regenerate with {@code mvn -pl api test -Dcrds.update=true}.
 */
class CrdDriftTest {
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  private static final Path COMMITTED = Path.of("../crds");

  @ParameterizedTest
  @ValueSource(strings = {"vpngateways.vpngateway.io", "clientcertificates.vpngateway.io"})
  void committedCrdMatchesTheJavaTypes(String crd) throws IOException {
    Path generated = GENERATED.resolve(crd + "-v1.yml");
    Path committed = COMMITTED.resolve(crd + ".yaml");
    assertTrue(Files.exists(generated), "the CRD generator did not run: " + generated);
    if (Boolean.getBoolean("crds.update")) {
      Files.createDirectories(COMMITTED);
      Files.copy(generated, committed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertTrue(Files.exists(committed), committed + " is missing; run with -Dcrds.update=true");
    List<String> expected = Files.readAllLines(generated);
    assertEquals(
        expected,
        Files.readAllLines(committed),
        committed + " drifted from the Java types; run mvn -pl api test -Dcrds.update=true");
  }
}
