package io.vpngateway.gateway.auth;

import java.security.cert.X509Certificate;

/**
 * Decides whether a client certificate chain (leaf first), as presented in a TLS or IKE handshake,
 * is acceptable under the gateway's current configuration: PKIX to the CA or a trusted root,
 * clientAuth EKU, validity, CRL and revoked thumbprints. Implementations read the live config, so a
 * reload applies to the next handshake.
 */
@FunctionalInterface
public interface CertificateAuthenticator {
  ClientIdentity authenticate(X509Certificate[] chain) throws AuthenticationException;
}
