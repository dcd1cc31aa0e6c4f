package io.vpngateway.gateway.auth.cert;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The throwaway client identity of a protocol's start-up warm-up: a CA of its own, one EC P-256
 * client certificate and a PKIX authenticator that trusts only that CA, so the warm-up runs the
 * production certificate check without touching the gateway's trust.
 */
public record WarmupIdentity(
    CertificateAuthority ca, IssuedCertificate client, PkixCertificateAuthenticator authenticator) {

  public static WarmupIdentity create() {
    CertificateAuthority ca =
        CertificateAuthority.create("warm-up", KeySpec.EC_P256, Instant.now());
    IssuedCertificate client =
        ca.issueClientCertificate(
            ClientCertificateRequest.of("warm-up", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
            Instant.now());
    return new WarmupIdentity(
        ca,
        client,
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(List.of(ca.certificate()), List.of(), List.of())));
  }
}
