package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Loads the committed CRDs (packaged in the api jar, generated from the same types as {@code
 * crds/}) into the mock server before the operator starts: the operator never generates its own.
 */
public class MockServerSetup implements Consumer<KubernetesServer> {
  static final String[] CRDS = {
    "META-INF/fabric8/vpngateways.vpngateway.io-v1.yml",
    "META-INF/fabric8/clientcertificates.vpngateway.io-v1.yml"
  };

  @Override
  public void accept(KubernetesServer server) {
    KubernetesClient client = server.getClient();
    for (String crd : CRDS) {
      try (InputStream in = MockServerSetup.class.getClassLoader().getResourceAsStream(crd)) {
        if (in == null) {
          throw new IllegalStateException(crd + " is not on the test classpath");
        }
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
