package io.vpngateway.operator.clientcert;

import io.vpngateway.api.pki.Certificates;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateStatus;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.operator.support.ErrorMessages;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Builds a ClientCertificate's status, the only writer of its conditions: {@code Ready}, {@code
 * Issuing} and {@code Revoked}. The certificate facts (serial, SHA-1 thumbprint as Azure shows it,
 * SHA-256, validity, renewal time) describe the certificate in the Secret; no key material.
 */
public final class ClientCertificateStatusAggregator {
  private ClientCertificateStatusAggregator() {}

  static ClientCertificateStatus aggregate(
      ClientCertificateStatus previous, long generation, Issuance issuance, Instant now) {
    ClientCertificateStatus status = copyFacts(previous);
    List<Condition> conditions = previous == null ? List.of() : previous.conditions;
    if (issuance instanceof Issuance.Issued issued) {
      describe(status, issued.certificate(), issued.renewalTime());
      status.previousCertificates = issued.previous();
      status.revocationTime = null;
      conditions =
          set(
              conditions,
              ConditionTypes.READY,
              true,
              ConditionTypes.REASON_ISSUED,
              "certificate " + status.serialNumber + " valid until " + status.notAfter,
              generation,
              now);
      conditions =
          set(
              conditions,
              ConditionTypes.ISSUING,
              false,
              // the same reason whether this reconcile issued it or kept it: a reason that
              // flipped on the next reconcile cost every certificate a second status write
              ConditionTypes.REASON_ISSUED,
              "next renewal at " + status.renewalTime,
              generation,
              now);
      conditions =
          set(
              conditions,
              ConditionTypes.REVOKED,
              false,
              ConditionTypes.REASON_ISSUED,
              "not revoked",
              generation,
              now);
    } else if (issuance instanceof Issuance.Revoked revoked) {
      status.revocationTime = revoked.revokedAt() == null ? null : time(revoked.revokedAt());
      // all of them are on the CRL now
      status.previousCertificates = List.of();
      String what =
          revoked.serialNumber() == null
              ? "revoked before a certificate was issued"
              : "certificate " + revoked.serialNumber() + " is listed in the gateway's CRL";
      conditions =
          set(
              conditions,
              ConditionTypes.READY,
              false,
              ConditionTypes.REASON_REVOKED,
              what,
              generation,
              now);
      conditions =
          set(
              conditions,
              ConditionTypes.ISSUING,
              false,
              ConditionTypes.REASON_REVOKED,
              "revoked certificates are not renewed",
              generation,
              now);
      conditions =
          set(
              conditions,
              ConditionTypes.REVOKED,
              true,
              ConditionTypes.REASON_REVOKED,
              what,
              generation,
              now);
    } else if (issuance instanceof Issuance.GatewayNotReady waiting) {
      conditions =
          set(
              conditions,
              ConditionTypes.READY,
              false,
              ConditionTypes.REASON_GATEWAY_NOT_READY,
              waiting.message(),
              generation,
              now);
      conditions =
          set(
              conditions,
              ConditionTypes.ISSUING,
              true,
              ConditionTypes.REASON_GATEWAY_NOT_READY,
              waiting.message(),
              generation,
              now);
    } else if (issuance instanceof Issuance.InvalidSpec invalid) {
      conditions =
          set(
              conditions,
              ConditionTypes.READY,
              false,
              ConditionTypes.REASON_INVALID_SPEC,
              invalid.message(),
              generation,
              now);
    }
    status.conditions = conditions;
    status.observedGeneration = generation;
    return status;
  }

  /** After a failed reconcile: Ready=False with the error, the rest as it was. */
  static ClientCertificateStatus error(
      ClientCertificateStatus previous, long generation, Exception e, Instant now) {
    ClientCertificateStatus status = previous == null ? new ClientCertificateStatus() : previous;
    status.conditions =
        set(
            status.conditions,
            ConditionTypes.READY,
            false,
            ConditionTypes.REASON_RECONCILE_ERROR,
            ErrorMessages.describe(e),
            generation,
            now);
    return status;
  }

  private static void describe(
      ClientCertificateStatus status, IssuedCertificate cert, Instant renewalTime) {
    status.serialNumber = Certificates.serialHex(cert.certificate());
    status.thumbprint = cert.sha1Thumbprint();
    status.sha256 = cert.sha256Thumbprint().toLowerCase(java.util.Locale.ROOT);
    status.notBefore = time(cert.notBefore());
    status.notAfter = time(cert.notAfter());
    status.renewalTime = time(renewalTime);
  }

  private static ClientCertificateStatus copyFacts(ClientCertificateStatus previous) {
    ClientCertificateStatus status = new ClientCertificateStatus();
    if (previous != null) {
      status.serialNumber = previous.serialNumber;
      status.thumbprint = previous.thumbprint;
      status.sha256 = previous.sha256;
      status.notBefore = previous.notBefore;
      status.notAfter = previous.notAfter;
      status.renewalTime = previous.renewalTime;
      status.revocationTime = previous.revocationTime;
      status.previousCertificates = previous.previousCertificates;
    }
    return status;
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static List<Condition> set(
      List<Condition> conditions,
      String type,
      boolean ok,
      String reason,
      String message,
      long generation,
      Instant now) {
    Condition c = new Condition(type, ok ? Condition.TRUE : Condition.FALSE, reason, message);
    c.observedGeneration = generation;
    return Conditions.set(conditions, c, now);
  }
}
