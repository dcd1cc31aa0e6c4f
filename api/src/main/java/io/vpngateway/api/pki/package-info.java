/**
 * The gateway's certificate authority (RFC 5280 profiles) and the encodings around it, shared by
 * the operator and the standalone gateway CLI.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.fromPem(caCrt, caKey);   // or create(...)
 * IssuedCertificate server = ca.issueServerCertificate(
 *     new ServerCertificateRequest("vpn.example.com", List.of("vpn.example.com"), List.of(),
 *         KeySpec.EC_P256, ServerCertificateRequest.DEFAULT_VALIDITY), now);
 * IssuedCertificate alice = ca.issueClientCertificate(
 *     ClientCertificateRequest.of("alice", List.of("eng"), Duration.ofDays(365), KeySpec.EC_P256)
 *         .withPreviousKey(RotationPolicy.NEVER, previousKeyOrNull), now);
 * X509CRL crl = ca.issueCrl(revoked, Crls.nextNumber(previousCrl, now), now, now.plus(7, DAYS));
 * }</pre>
 *
 * <p>Keys are JDK key objects; Bouncy Castle builds the ASN.1 and the PKCS#12 containers and is
 * registered at the lowest provider priority only. All classes are immutable or stateless and safe
 * to share between threads.
 */
package io.vpngateway.api.pki;
