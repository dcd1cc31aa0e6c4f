package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpngateway.api.pki.PkiException;
import java.net.HttpURLConnection;
import java.util.function.UnaryOperator;

/**
 * The one way a gateway's CRL Secret is changed once it exists: read it from the API server (not a
 * cache), compute the change from what is there, and write it back with the resourceVersion that
 * was read. A writer that lost a race gets 409 and starts over from the newer Secret, so neither a
 * revocation nor a re-signing at CRL renewal can overwrite the other (RFC 5280 §5: a CRL is
 * complete, so a re-signed CRL without an entry un-revokes that certificate).
 */
public final class CrlSecretUpdates {
  /** Each conflict needs another writer; a handful of rounds covers every writer there is. */
  static final int ATTEMPTS = 8;

  private CrlSecretUpdates() {}

  /**
   * Applies {@code change} to the current CRL Secret and writes the result conditionally, again
   * from a fresh read after every 409.
   *
   * @param change gets the Secret as the API server has it now (its own copy, free to modify) and
   *     returns the Secret to write, or null when nothing needs writing
   * @return the Secret as written, or as it was when nothing needed writing
   */
  public static Secret update(
      KubernetesClient client, String namespace, String name, UnaryOperator<Secret> change) {
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Secret current = client.secrets().inNamespace(namespace).withName(name).get();
      if (current == null) {
        throw new PkiException("Secret '" + name + "' with the gateway's CRL does not exist yet");
      }
      String readVersion = current.getMetadata().getResourceVersion();
      Secret next = change.apply(current);
      if (next == null) {
        return current;
      }
      next.getMetadata().setResourceVersion(readVersion);
      try {
        // update() is a PUT carrying readVersion: a write since the read makes it fail with 409
        return client.secrets().inNamespace(namespace).resource(next).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }
}
