package io.vpngateway.operator.clientcert;

import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.v1alpha1.PreviousCertificate;
import io.vpngateway.operator.support.ContextKeys;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The outcome of one ClientCertificate reconcile, worked out before the workflow runs. */
sealed interface Issuance {
  ContextKeys.Key<Issued> KEY = new ContextKeys.Key<>("clientcertificate.issued", Issued.class);

  /**
   * The certificate to keep or that was just issued, and the output Secret's data.
   *
   * @param renewed true when this reconcile issued a new certificate
   * @param previous earlier certificates still valid and not revoked (for the status)
   */
  record Issued(
      IssuedCertificate certificate,
      Map<String, byte[]> secretData,
      Instant renewalTime,
      boolean renewed,
      List<PreviousCertificate> previous)
      implements Issuance {
    Issued withPrevious(List<PreviousCertificate> earlier) {
      return new Issued(certificate, secretData, renewalTime, renewed, List.copyOf(earlier));
    }
  }

  /** The gateway, its CA or its endpoint is not there yet; retried on the gateway's events. */
  record GatewayNotReady(String message) implements Issuance {}

  /** The spec cannot be issued as is (message names the field). */
  record InvalidSpec(String message) implements Issuance {}

  /**
   * Revoked and listed in the gateway's CRL.
   *
   * @param serialNumber hex serial, or null when nothing was ever issued
   */
  record Revoked(String serialNumber, Instant revokedAt) implements Issuance {}
}
