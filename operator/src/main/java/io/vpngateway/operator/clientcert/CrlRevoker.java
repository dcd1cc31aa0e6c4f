package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.operator.gateway.ConfigFiles;
import io.vpngateway.operator.gateway.CrlSecretUpdates;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds serials to a gateway's CRL within the revoking reconcile, through {@link CrlSecretUpdates}
 * (fresh read, write conditional on its resourceVersion, again on 409), so neither another
 * revocation nor the gateway's re-signing at CRL renewal can lose the entry. The gateway pods mount
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
    Secret written =
        CrlSecretUpdates.update(
            client,
            namespace,
            Names.crlSecret(gateway),
            secret -> {
              Optional<X509CRL> current =
                  SecretData.get(secret, ConfigFiles.CRL_KEY).flatMap(RevocationList::decode);
              Optional<X509CRL> signed = RevocationList.revoke(ca, current, serials, now, validity);
              if (signed.isEmpty()) {
                return null;
              }
              if (secret.getData() == null) {
                secret.setData(new LinkedHashMap<>());
              }
              secret
                  .getData()
                  .put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(signed.get())));
              return secret;
            });
    X509CRL result = Pem.decodeCrl(SecretData.get(written, ConfigFiles.CRL_KEY).orElseThrow());
    Map<BigInteger, Instant> revokedAt = new LinkedHashMap<>();
    for (BigInteger serial : serials) {
      X509CRLEntry entry = result.getRevokedCertificate(serial);
      revokedAt.put(serial, entry.getRevocationDate().toInstant());
    }
    return revokedAt;
  }
}
