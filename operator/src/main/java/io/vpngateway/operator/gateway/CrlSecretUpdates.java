package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Crls;
import io.vpngateway.api.pki.PkiException;
import java.net.HttpURLConnection;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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

  /**
   * {@code wanted} (a CRL this reconcile signed from a possibly stale copy) with every entry of
   * {@code current} (the CRL in the Secret now) it lacks. When nothing is missing, {@code wanted}
   * itself; otherwise a new CRL signed now, numbered above both, valid as long as {@code wanted}.
   * A {@code current} the CA did not sign contributes nothing.
   */
  public static X509CRL merge(
      CertificateAuthority ca, X509CRL wanted, Optional<X509CRL> current, Instant now) {
    Optional<X509CRL> ours = current.filter(c -> RevocationList.signedBy(ca, c));
    if (ours.isEmpty()
        || RevocationList.entries(ours.get()).stream()
            .allMatch(e -> RevocationList.lists(wanted, e.serialNumber()))) {
      return wanted;
    }
    X509CRL newer = higherNumber(wanted, ours.get());
    X509CRL older = newer == wanted ? ours.get() : wanted;
    Duration validity =
        Duration.between(
            wanted.getThisUpdate().toInstant(), wanted.getNextUpdate().toInstant());
    return RevocationList.sign(
        ca, Optional.of(newer), RevocationList.entries(older), now, validity);
  }

  private static X509CRL higherNumber(X509CRL a, X509CRL b) {
    var na = Crls.numberOf(a);
    var nb = Crls.numberOf(b);
    if (na.isEmpty() || nb.isEmpty()) {
      return na.isPresent() ? a : b;
    }
    return na.get().compareTo(nb.get()) >= 0 ? a : b;
  }
}
