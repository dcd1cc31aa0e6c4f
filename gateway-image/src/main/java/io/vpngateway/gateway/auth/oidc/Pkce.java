package io.vpngateway.gateway.auth.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Proof Key for Code Exchange (RFC 7636): a fresh {@code code_verifier} per sign-in and its {@code
 * S256} challenge, so an authorization code that leaks from the browser (history, a proxy log, a
 * malicious app registered for the redirect) cannot be redeemed by anyone but this gateway.
 *
 * @param verifier 43 characters of base64url over 32 random bytes (§4.1)
 * @param challenge {@code BASE64URL(SHA256(ASCII(verifier)))} (§4.2)
 */
public record Pkce(String verifier, String challenge) {
  public static final String METHOD = "S256";

  public static Pkce generate(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return new Pkce(verifier, challengeOf(verifier));
  }

  static String challengeOf(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "Pkce[verifier=redacted, challenge=" + challenge + "]";
  }
}
