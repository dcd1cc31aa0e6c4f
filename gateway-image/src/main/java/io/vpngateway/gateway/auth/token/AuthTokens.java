package io.vpngateway.gateway.auth.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless auth tokens (openvpn {@code --auth-gen-token}'s idea, own format): issued to a client
 * after a full authentication, presented instead of the password when it reconnects, and
 * recognised by any replica holding the same secret (derived from the config's {@code
 * authTokenKey} and the password methods on by {@code runtime/Authentications}, so that turning a
 * method off refuses the tokens its logins earned):
 *
 * <pre>
 * vgw4.&lt;b64url(name)&gt;.&lt;b64url(groups, '\n'-separated)&gt;.&lt;issued s&gt;.&lt;expires s&gt;.&lt;[c][k][p]&gt;.&lt;b64url(HMAC-SHA256)&gt;
 * vgw3.&lt;b64url(name)&gt;.&lt;b64url(groups, '\n'-separated)&gt;.&lt;issued s&gt;.&lt;expires s&gt;.&lt;c or empty&gt;.&lt;b64url(HMAC-SHA256)&gt;  (read only)
 * vgw2.&lt;b64url(name)&gt;.&lt;b64url(groups, '\n'-separated)&gt;.&lt;issued s&gt;.&lt;expires s&gt;.&lt;b64url(HMAC-SHA256)&gt;  (read only)
 * vgw1.&lt;b64url(name)&gt;.&lt;issued s&gt;.&lt;expires s&gt;.&lt;b64url(HMAC-SHA256)&gt;      (read only)
 * </pre>
 *
 * The groups travel in the token so a client authenticated by password (whose groups came from
 * RADIUS or the OIDC token) gets the same pool when it comes back with the token alone. The MAC
 * covers everything before the last dot and is compared in constant time. A token cut short by
 * the end of the sign-in it continues says so in its MAC'd body (version 3, {@code c}: it expires
 * at the sign-in's end): inferring it from
 * {@code expires < issued + lifetime} made every outstanding token look cut short once the
 * configured lifetime changed (a restart, replicas in a rolling update). Version 2 tokens, issued
 * before, are still read that way (failing closed: a session admitted by one may end early and
 * its client sign in again); they are all gone one lifetime after the upgrade.
 *
 * <p>Version 4 also says what the login that earned the token proved: {@code k} a client
 * certificate, {@code p} a password (RADIUS, OIDC, or a token that itself carried {@code p}). The
 * pipeline accepts a token only where those proofs are enough under the <i>running</i> config: a
 * token earned by a certificate alone never stands in for a password after a reload turned on
 * {@code requireCertificateAndPassword} or turned certificate authentication off. Older tokens
 * (versions 1 to 3) do not say; they are read as proving a certificate only, the weakest login
 * that could have earned them (failing closed: a password client presenting one after the upgrade
 * signs in again once). Protocol-neutral: the
 * {@code AuthenticationPipeline} checks a presented token, a protocol that can carry one (OpenVPN
 * {@code AUTH_TOKEN}) issues it.
 */
public final class AuthTokens {
  static final String PREFIX = "vgw4.";
  static final String PREFIX_V3 = "vgw3.";
  static final String PREFIX_V2 = "vgw2.";
  static final String PREFIX_V1 = "vgw1.";
  /**
   * The keyed HMAC engine of the current key, never used itself: each token is MACed on a clone of
   * it ({@code Mac.getInstance} and {@code init} per token were a provider look-up and a key
   * schedule per push; a clone copies the keyed state). No thread keeps an engine of its own, so
   * a {@link #rekey} takes effect on every thread at the next token, and the replaced key's state
   * is nowhere but in clones already under way (an engine per thread in a ThreadLocal kept the old
   * key in every long-lived thread that had used it).
   */
  private volatile Mac keyed;
  private final Duration lifetime;

  public AuthTokens(byte[] secret, Duration lifetime) {
    this.keyed = keyedMac(secret);
    this.lifetime = lifetime;
  }

  /**
   * Replaces the HMAC key (the config's {@code authTokenKey} replaced, or a password method turned
   * on or off, and reloaded): from the
   * return on, every thread issues and checks tokens under {@code secret} only, and tokens signed
   * with the previous key are {@link Verdict#FORGED} (no overlap: replacing the key signs every
   * client out, see {@code GatewayTokens}). A token being checked while this runs may still be
   * judged under the previous key. The caller wipes {@code secret}.
   */
  public void rekey(byte[] secret) {
    keyed = keyedMac(secret);
  }

  /** Whether {@code password} has the shape of one of our tokens (checked or not). */
  public static boolean looksLikeToken(String password) {
    return password != null
        && (password.startsWith(PREFIX)
            || password.startsWith(PREFIX_V3)
            || password.startsWith(PREFIX_V2)
            || password.startsWith(PREFIX_V1));
  }

  public String issue(String name, Instant now) {
    return issue(name, List.of(), now);
  }

  public String issue(String name, List<String> groups, Instant now) {
    return issue(name, groups, now, Optional.empty());
  }

  /**
   * A token that expires after the configured lifetime, or at {@code notAfter} if that comes
   * first: a session whose sign-in ends then (an OIDC token's {@code exp}) must not reconnect with
   * our token past it. {@link #verify} reports such a token as {@link Checked#capped}.
   */
  public String issue(String name, List<String> groups, Instant now, Optional<Instant> notAfter) {
    return issue(name, groups, now, notAfter, Proven.PASSWORD);
  }

  /**
   * As {@link #issue(String, List, Instant, Optional)}, for a login that proved {@code proven}
   * (recorded in the token, so that a reload that requires more refuses it).
   */
  public String issue(
      String name, List<String> groups, Instant now, Optional<Instant> notAfter, Proven proven) {
    if (!proven.certificate() && !proven.password()) {
      throw new IllegalArgumentException("a token is issued after a login that proved something");
    }
    Instant expires = now.plus(lifetime);
    boolean capped = notAfter.isPresent() && notAfter.get().isBefore(expires);
    if (capped) {
      expires = notAfter.get().isBefore(now) ? now : notAfter.get();
    }
    String body =
        PREFIX
            + b64(name.getBytes(StandardCharsets.UTF_8))
            + "."
            + b64(String.join("\n", groups).getBytes(StandardCharsets.UTF_8))
            + "."
            + now.getEpochSecond()
            + "."
            + expires.getEpochSecond()
            + "."
            // one letter each: OpenVPN clients bound a password's length
            + (capped ? "c" : "")
            + (proven.certificate() ? "k" : "")
            + (proven.password() ? "p" : "");
    return body + "." + b64(mac(body));
  }

  /**
   * What the login that earned a token proved.
   *
   * @param certificate a client certificate
   * @param password a password (RADIUS, OIDC), or a token that carried that proof
   */
  public record Proven(boolean certificate, boolean password) {
    public static final Proven CERTIFICATE = new Proven(true, false);
    public static final Proven PASSWORD = new Proven(false, true);
    public static final Proven BOTH = new Proven(true, true);
    /** What a token of versions 1 to 3 is read as proving (see the class comment). */
    static final Proven LEGACY = CERTIFICATE;
  }

  /** Result of checking a presented token. */
  public enum Verdict {
    VALID,
    EXPIRED,
    FORGED,
    NOT_A_TOKEN
  }

  /**
   * @param name the name the token was issued to (VALID and EXPIRED only)
   * @param groups the groups it was issued with (empty for version 1 tokens)
   * @param capped the token's expiry when it was cut short of the configured lifetime by the
   *     end of the sign-in it continues ({@link #issue(String, List, Instant, Optional)}): a
   *     session it admits must end then too
   * @param proven what the login that earned it proved (nothing for FORGED and NOT_A_TOKEN)
   */
  public record Checked(
      Verdict verdict,
      Optional<String> name,
      List<String> groups,
      Optional<Instant> capped,
      Proven proven) {
    public Checked {
      groups = List.copyOf(groups);
      capped = capped == null ? Optional.empty() : capped;
      proven = proven == null ? new Proven(false, false) : proven;
    }

    static Checked of(Verdict verdict) {
      return new Checked(verdict, Optional.empty(), List.of(), Optional.empty(), null);
    }
  }

  public Checked verify(String token, Instant now) {
    if (!looksLikeToken(token)) {
      return Checked.of(Verdict.NOT_A_TOKEN);
    }
    int lastDot = token.lastIndexOf('.');
    String body = token.substring(0, lastDot);
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
    } catch (IllegalArgumentException e) {
      return Checked.of(Verdict.FORGED);
    }
    if (!MessageDigest.isEqual(presented, mac(body))) {
      return Checked.of(Verdict.FORGED);
    }
    String[] parts = body.split("\\.", -1);
    int version =
        token.startsWith(PREFIX)
            ? 4
            : token.startsWith(PREFIX_V3) ? 3 : token.startsWith(PREFIX_V2) ? 2 : 1;
    if (parts.length != (version >= 3 ? 6 : version == 2 ? 5 : 4)) {
      return Checked.of(Verdict.FORGED);
    }
    try {
      String name = text(parts[1]);
      List<String> groups =
          version >= 2 && !parts[2].isEmpty()
              ? Arrays.asList(text(parts[2]).split("\n"))
              : List.of();
      long expires = Long.parseLong(parts[version == 1 ? 3 : 4]);
      Verdict verdict = now.getEpochSecond() > expires ? Verdict.EXPIRED : Verdict.VALID;
      Optional<Instant> capped = Optional.empty();
      Proven proven = Proven.LEGACY;
      if (version == 4) {
        String flags = parts[5];
        if (!flags.matches("c?k?p?") || !(flags.contains("k") || flags.contains("p"))) {
          return Checked.of(Verdict.FORGED);
        }
        if (flags.startsWith("c")) {
          capped = Optional.of(Instant.ofEpochSecond(expires));
        }
        proven = new Proven(flags.contains("k"), flags.contains("p"));
      } else if (version == 3 && !parts[5].isEmpty()) {
        if (!parts[5].equals("c")) {
          return Checked.of(Verdict.FORGED);
        }
        capped = Optional.of(Instant.ofEpochSecond(expires));
      } else if (version == 2 && expires < Long.parseLong(parts[3]) + lifetime.toSeconds()) {
        capped = Optional.of(Instant.ofEpochSecond(expires)); // see the class comment
      }
      return new Checked(verdict, Optional.of(name), groups, capped, proven);
    } catch (IllegalArgumentException e) {
      // only reachable with our own key: a token we could not have issued
      return Checked.of(Verdict.FORGED);
    }
  }

  private byte[] mac(String body) {
    Mac m;
    try {
      m = (Mac) keyed.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's HMAC-SHA256 cannot be cloned", e);
    }
    return m.doFinal(body.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac keyedMac(byte[] secret) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret, "HmacSHA256"));
      m.clone(); // fails here, at start, rather than at the first token
      return m;
    } catch (GeneralSecurityException | CloneNotSupportedException e) {
      throw new IllegalStateException("JDK lacks a clonable HMAC-SHA256", e);
    }
  }

  private static String text(String b64) {
    return new String(Base64.getUrlDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
