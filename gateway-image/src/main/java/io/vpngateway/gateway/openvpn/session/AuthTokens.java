package io.vpngateway.gateway.openvpn.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless auth tokens (openvpn {@code --auth-gen-token}'s idea, own format) so that a client
 * reconnecting to any replica holding the same secret can be recognised:
 *
 * <pre>
 * vgw1.&lt;base64url(name)&gt;.&lt;issued epoch s&gt;.&lt;expires epoch s&gt;.&lt;base64url(HMAC-SHA256)&gt;
 * </pre>
 *
 * The MAC covers everything before the last dot and is compared in constant time.
 */
public final class AuthTokens {
  static final String PREFIX = "vgw1.";
  private final SecretKeySpec key;
  private final Duration lifetime;

  public AuthTokens(byte[] secret, Duration lifetime) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.lifetime = lifetime;
  }

  public String issue(String name, Instant now) {
    String body = PREFIX + b64(name.getBytes(StandardCharsets.UTF_8)) + "." + now.getEpochSecond()
        + "." + now.plus(lifetime).getEpochSecond();
    return body + "." + b64(mac(body));
  }

  /** Result of checking a presented token. */
  public enum Verdict { VALID, EXPIRED, FORGED, NOT_A_TOKEN }

  public record Checked(Verdict verdict, Optional<String> name) {}

  public Checked verify(String token, Instant now) {
    if (token == null || !token.startsWith(PREFIX)) {
      return new Checked(Verdict.NOT_A_TOKEN, Optional.empty());
    }
    int lastDot = token.lastIndexOf('.');
    String body = token.substring(0, lastDot);
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
    } catch (IllegalArgumentException e) {
      return new Checked(Verdict.FORGED, Optional.empty());
    }
    if (!MessageDigest.isEqual(presented, mac(body))) {
      return new Checked(Verdict.FORGED, Optional.empty());
    }
    String[] parts = body.split("\\.");
    if (parts.length != 4) {
      return new Checked(Verdict.FORGED, Optional.empty());
    }
    String name = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    long expires = Long.parseLong(parts[3]);
    if (now.getEpochSecond() > expires) {
      return new Checked(Verdict.EXPIRED, Optional.of(name));
    }
    return new Checked(Verdict.VALID, Optional.of(name));
  }

  private byte[] mac(String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks HMAC-SHA256", e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
