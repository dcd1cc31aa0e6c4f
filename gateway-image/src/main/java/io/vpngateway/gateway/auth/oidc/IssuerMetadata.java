package io.vpngateway.gateway.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an issuer's discovery document the gateway uses (OpenID Connect Discovery 1.0 §3).
 *
 * @param issuer the issuer identifier, equal to the configured one (§4.3)
 * @param jwksUri the issuer's JWK set
 * @param authorizationEndpoint where a browser signs in (web sign-in only)
 * @param tokenEndpoint where the gateway redeems the authorization code (web sign-in only)
 * @param codeChallengeMethods the PKCE methods the issuer announces (RFC 8414 §2); may be empty
 *     when the issuer does not say
 */
public record IssuerMetadata(
    String issuer,
    URI jwksUri,
    URI authorizationEndpoint,
    URI tokenEndpoint,
    List<String> codeChallengeMethods) {

  /**
   * Reads the discovery document of {@code settings.issuer()}.
   *
   * @throws IssuerUnreachableException when it cannot be fetched, is not a discovery document, or
   *     names another issuer (a discovery document must not be trusted for another issuer: §4.3)
   */
  public static IssuerMetadata discover(IssuerHttpClient http, OidcSettings settings)
      throws IssuerUnreachableException {
    URI where = settings.discoveryUri();
    JsonNode doc = http.getJson(where);
    String issuer = text(doc, "issuer");
    if (issuer == null) {
      throw new IssuerUnreachableException(where + " is not a discovery document (no issuer)");
    }
    if (!sameIssuer(issuer, settings.issuer().toString())) {
      throw new IssuerUnreachableException(
          where + " names issuer " + issuer + ", not the configured " + settings.issuer());
    }
    URI jwks = httpsUri(where, doc, "jwks_uri", true);
    URI authorization = httpsUri(where, doc, "authorization_endpoint", false);
    URI token = httpsUri(where, doc, "token_endpoint", false);
    List<String> methods = new ArrayList<>();
    JsonNode m = doc.get("code_challenge_methods_supported");
    if (m != null && m.isArray()) {
      m.forEach(n -> methods.add(n.asText()));
    }
    return new IssuerMetadata(issuer, jwks, authorization, token, List.copyOf(methods));
  }

  /** Whether web sign-in can run against this issuer. */
  public boolean supportsCodeFlow() {
    return authorizationEndpoint != null && tokenEndpoint != null;
  }

  /** Issuers are compared exactly, except that one trailing slash is not a difference. */
  static boolean sameIssuer(String a, String b) {
    return strip(a).equals(strip(b));
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String text(JsonNode doc, String field) {
    JsonNode n = doc.get(field);
    return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
  }

  private static URI httpsUri(URI where, JsonNode doc, String field, boolean required)
      throws IssuerUnreachableException {
    String value = text(doc, field);
    if (value == null) {
      if (required) {
        throw new IssuerUnreachableException(where + " has no " + field);
      }
      return null;
    }
    try {
      URI uri = URI.create(value);
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new IssuerUnreachableException(where + ": " + field + " is not an https URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IssuerUnreachableException(where + ": " + field + " is not a URL");
    }
  }
}
