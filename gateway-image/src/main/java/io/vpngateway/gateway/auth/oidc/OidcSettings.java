package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.gateway.config.SecretBytes;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The OIDC settings of a running gateway, resolved from the config document and its files.
 *
 * @param issuer the issuer identifier (OpenID Connect Discovery 1.0 §2); its discovery document
 *     is at {@code <issuer>/.well-known/openid-configuration}
 * @param audience the {@code aud} a token presented as the OpenVPN password must carry
 * @param clientId the OAuth client of the gateway's web sign-in; empty turns web sign-in off
 * @param clientSecret the client's secret for a confidential client; empty for a public client,
 *     which PKCE (RFC 7636) alone protects
 * @param groupsClaim the claim holding the user's groups; a dotted path reaches into objects
 *     ({@code realm_access.roles})
 * @param allowedGroups when not empty, a token must name at least one of these groups
 * @param scopes scopes asked for in web sign-in ({@code openid} is always among them)
 * @param clockSkew how far {@code exp}, {@code nbf} and {@code iat} may be off the gateway's clock
 * @param redirectUri the web sign-in callback as browsers reach it; empty: derived from the
 *     server certificate's first name and {@code callbackPort}
 * @param callbackPort the port of the gateway's HTTPS sign-in endpoint
 * @param signInTimeout how long a client may wait for its user to sign in
 * @param issuerRoots roots that the issuer's HTTPS certificate must chain to; empty: the JVM's
 *     default trust store
 */
public record OidcSettings(
    URI issuer,
    String audience,
    Optional<String> clientId,
    Optional<SecretBytes> clientSecret,
    String groupsClaim,
    List<String> allowedGroups,
    List<String> scopes,
    Duration clockSkew,
    Optional<URI> redirectUri,
    int callbackPort,
    Duration signInTimeout,
    List<X509Certificate> issuerRoots) {

  /** Defaults of the optional settings. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_SIGN_IN_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_CALLBACK_PORT = 8443;

  public OidcSettings {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    clientId = clientId.filter(s -> !s.isBlank());
    groupsClaim = groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
    allowedGroups = List.copyOf(allowedGroups);
    scopes = scopes.contains("openid") ? List.copyOf(scopes) : prepend("openid", scopes);
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new IllegalArgumentException("clock skew must be 0.." + MAX_CLOCK_SKEW.toSeconds() + " s");
    }
    issuerRoots = List.copyOf(issuerRoots);
  }

  /** Token validation only (no web sign-in), with the defaults: for tests and simple setups. */
  public static OidcSettings tokensOnly(URI issuer, String audience, String groupsClaim,
      List<String> allowedGroups, List<X509Certificate> issuerRoots) {
    return new OidcSettings(issuer, audience, Optional.empty(), Optional.empty(), groupsClaim,
        allowedGroups, List.of("openid"), DEFAULT_CLOCK_SKEW, Optional.empty(),
        DEFAULT_CALLBACK_PORT, DEFAULT_SIGN_IN_TIMEOUT, issuerRoots);
  }

  /** Whether clients without a token may sign in through the browser (openvpn web auth). */
  public boolean webSignInEnabled() {
    return clientId.isPresent();
  }

  /** The discovery document's address (OpenID Connect Discovery 1.0 §4). */
  public URI discoveryUri() {
    String base = issuer.toString();
    return URI.create(
        (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            + "/.well-known/openid-configuration");
  }

  private static List<String> prepend(String first, List<String> rest) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return List.copyOf(all);
  }

  @Override
  public String toString() {
    return "OidcSettings[issuer=" + issuer + ", audience=" + audience + ", clientId="
        + clientId.orElse("-") + ", clientSecret=" + (clientSecret.isPresent() ? "set" : "none")
        + ", groupsClaim=" + groupsClaim + ", allowedGroups=" + allowedGroups + "]";
  }
}
