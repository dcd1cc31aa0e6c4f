package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.operator.gateway.ConfigFiles;
import io.vpngateway.operator.gateway.GatewayComponents;
import io.vpngateway.operator.support.Hashes;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.SecretData;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which ClientCertificates an event on one of their gateway's Secrets must reconcile. The CA and
 * server Secrets wake every certificate of the gateway (a new CA or server name re-renders every
 * profile). The CRL Secret changes with every revocation, and a client's Secret depends on only
 * two things in it: the tls-crypt-v2 server key (made once), and whether the client's own
 * certificate is listed (then it is re-issued, unless the ClientCertificate is revoked). So a CRL
 * event wakes every certificate of the gateway only when the server key is new to this operator
 * or changed, and otherwise only the ClientCertificates whose listing disagrees with their spec:
 * unrevoked ones whose certificate it lists, and revoked ones whose certificate it does not list
 * (normally none of either). The latter happens when the CRL Secret is overwritten with fewer
 * entries (restored from an older backup, re-applied by GitOps): those certificates re-add
 * themselves (batched, {@link CrlRevoker}) instead of staying un-revoked until a resync. Waking
 * all of them on every CRL write made a hundred revocations reconcile a thousand unchanged
 * certificates per write.
 */
final class GatewaySecretWakeUps {
  /** Per gateway ({@code namespace/name}): the hash of the tls-crypt-v2 server key last seen. */
  private final Map<String, String> serverKeys = new ConcurrentHashMap<>();

  Set<ResourceID> certificatesFor(IndexerResourceCache<ClientCertificate> primaries, Secret s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    String gateway = labels == null ? null : labels.get(Labels.GATEWAY);
    // JOSDK indexes every Secret of the informer through this mapper, before its filter drops the
    // ones that are not a gateway's (the clients' own Secrets carry the same managed-by label):
    // mapping each client Secret to every certificate of its gateway made N^2 index entries, and
    // every reconcile's secondary lookup walked N Secrets
    if (gateway == null
        || !ClientCertificateReconciler.GATEWAY_COMPONENTS.contains(labels.get(Labels.COMPONENT))) {
      return Set.of();
    }
    String key = ClientCertificateReconciler.key(s.getMetadata().getNamespace(), gateway);
    List<ClientCertificate> certificates =
        primaries.byIndex(ClientCertificateReconciler.BY_GATEWAY, key);
    if (!GatewayComponents.CRL.equals(labels.get(Labels.COMPONENT))) {
      return ids(certificates);
    }
    String serverKey =
        SecretData.get(s, ConfigFiles.TLS_CRYPT_V2_SERVER_KEY).map(Hashes::shortSha256).orElse("");
    if (!serverKey.equals(serverKeys.put(key, serverKey))) {
      return ids(certificates);
    }
    Optional<X509CRL> crl = SecretData.get(s, ConfigFiles.CRL_KEY).flatMap(RevocationList::decode);
    if (crl.isEmpty()) {
      // none or unreadable (overwritten by hand): it lists no one, so every revoked one re-adds
      return ids(
          certificates.stream()
              .filter(cc -> Boolean.TRUE.equals(cc.getSpec().revoked) && serial(cc).isPresent())
              .toList());
    }
    return ids(
        certificates.stream()
            .filter(cc -> listingDisagrees(crl.get(), cc))
            .toList());
  }

  /** Revoked but not listed, or listed but not revoked; false without a serial to look up. */
  private static boolean listingDisagrees(X509CRL crl, ClientCertificate cc) {
    Optional<BigInteger> serial = serial(cc);
    if (serial.isEmpty()) {
      return false;
    }
    boolean listed = RevocationList.lists(crl, serial.get());
    return Boolean.TRUE.equals(cc.getSpec().revoked) ? !listed : listed;
  }

  private static Optional<BigInteger> serial(ClientCertificate cc) {
    if (cc.getStatus() == null || cc.getStatus().serialNumber == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigInteger(cc.getStatus().serialNumber.replace(":", ""), 16));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Set<ResourceID> ids(List<ClientCertificate> certificates) {
    return certificates.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
  }
}
