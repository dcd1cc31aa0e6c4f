package io.vpngateway.gateway.config;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The files {@code authentication.oidc} names, read and checked with the rest of the config.
 *
 * @param clientSecret the web sign-in client's secret (confidential client), if configured
 * @param issuerRoots roots the issuer's HTTPS certificate must chain to; empty: the JVM's trust
 *     store
 */
public record OidcFiles(Optional<SecretBytes> clientSecret, List<X509Certificate> issuerRoots) {
  public OidcFiles {
    issuerRoots = List.copyOf(issuerRoots);
  }

  public static OidcFiles none() {
    return new OidcFiles(Optional.empty(), List.of());
  }
}
