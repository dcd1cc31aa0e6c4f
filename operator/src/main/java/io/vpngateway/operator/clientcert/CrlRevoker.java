package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.operator.gateway.ConfigFiles;
import io.vpngateway.operator.gateway.RevocationList;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds a serial to a gateway's CRL within the revoking reconcile. It reads the CRL Secret from the
 * API server (not a cache) and writes it back with its resourceVersion, so two revocations at once
 * cannot lose each other's entry: the loser gets a conflict and is retried. The gateway pods mount
 * the CRL directly, so they reload it without a restart.
 */
final class CrlRevoker {
  private CrlRevoker() {}

  /** Lists {@code serial} in the CRL (if not already) and returns when it was revoked. */
  static Instant revoke(
      KubernetesClient client,
      String namespace,
      String gateway,
      CertificateAuthority ca,
      BigInteger serial,
      Instant now,
      Duration validity) {
    return revokeAll(client, namespace, gateway, ca, List.of(serial), now, validity).get(serial);
  }

  /**
   * Lists every one of {@code serials} in the CRL (in one write) and returns when each was revoked.
   */
  static Map<BigInteger, Instant> revokeAll(
      KubernetesClient client,
      String namespace,
      String gateway,
      CertificateAuthority ca,
      Collection<BigInteger> serials,
      Instant now,
      Duration validity) {
    String name = Names.crlSecret(gateway);
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new PkiException("Secret '" + name + "' with the gateway's CRL does not exist yet");
    }
    Optional<X509CRL> current =
        SecretData.get(secret, ConfigFiles.CRL_KEY)
            .map(Pem::decodeCrl)
            .filter(crl -> RevocationList.signedBy(ca, crl));
    List<RevokedCertificate> added = new ArrayList<>();
    for (BigInteger serial : serials) {
      if (current.isEmpty() || current.get().getRevokedCertificate(serial) == null) {
        added.add(new RevokedCertificate(serial, now));
      }
    }
    X509CRL result = current.orElse(null);
    if (!added.isEmpty()) {
      result = RevocationList.sign(ca, current, added, now, validity);
      secret.getData().put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(result)));
      // update() sends the resourceVersion read above: a concurrent writer makes this fail with 409
      client.secrets().inNamespace(namespace).resource(secret).update();
    }
    Map<BigInteger, Instant> revokedAt = new LinkedHashMap<>();
    for (BigInteger serial : serials) {
      X509CRLEntry entry = result.getRevokedCertificate(serial);
      revokedAt.put(serial, entry.getRevocationDate().toInstant());
    }
    return revokedAt;
  }
}
