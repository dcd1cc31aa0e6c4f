package io.vpngateway.gateway.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JWT issued by the configured issuer (RFC 7519 §7.2, OpenID Connect Core 1.0 §3.1.3.7)
 * and says exactly which check failed ({@link TokenRefusal}).
 *
 * <p>Order: the form, the algorithm, the key, the signature, and only then the claims, so nothing
 * in an unsigned or forged token is believed, not even its expiry. Algorithms: RSA (RS*, PS*) and
 * ECDSA (ES*); {@code none} and HMAC are refused (an HMAC token would be signed with a secret the
 * gateway shares). RSA keys shorter than 2048 bits are not used.
 *
 * <p>Thread-safe; it blocks only when the issuer's keys must be fetched, so callers run it off
 * protocol threads.
 */
public final class OidcTokenValidator {
  /** Longest token accepted; a JWT with a few hundred groups stays far below. */
  public static final int MAX_TOKEN_LENGTH = 16 * 1024;

  static final int MAX_GROUPS = 500;
  private static final int MIN_RSA_BITS = 2048;
  private static final Set<JWSAlgorithm> ALLOWED =
      Set.of(
          JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
          JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
          JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final OidcIssuer issuer;
  private final Clock clock;

  public OidcTokenValidator(OidcIssuer issuer, Clock clock) {
    this.issuer = issuer;
    this.clock = clock;
  }

  /**
   * Checks a token presented as the OpenVPN password: audience {@code settings.audience()}.
   *
   * @throws TokenRefusedException naming the first check that failed
   */
  public VerifiedToken validateAccessToken(String token) throws TokenRefusedException {
    return validate(token, issuer.settings().audience(), null);
  }

  /**
   * Checks an ID token from the token endpoint (OpenID Connect Core 1.0 §3.1.3.7): audience the
   * client id, and the sign-in's nonce.
   */
  public VerifiedToken validateIdToken(String token, String clientId, String nonce)
      throws TokenRefusedException {
    return validate(token, clientId, nonce);
  }

  private VerifiedToken validate(String token, String audience, String nonce)
      throws TokenRefusedException {
    SignedJWT jwt = parse(token);
    verifySignature(jwt);
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new TokenRefusedException(TokenRefusal.MALFORMED, "the claims are not a JSON object");
    }
    String expectedIssuer = metadataIssuer();
    if (!expectedIssuer.equals(claims.getIssuer())) {
      throw new TokenRefusedException(
          TokenRefusal.WRONG_ISSUER,
          "iss is " + claims.getIssuer() + ", not " + expectedIssuer);
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(audience)) {
      throw new TokenRefusedException(
          TokenRefusal.WRONG_AUDIENCE, "aud " + aud + " does not contain " + audience);
    }
    checkTimes(claims);
    if (nonce != null && !nonce.equals(stringClaim(claims, "nonce"))) {
      throw new TokenRefusedException(
          TokenRefusal.NONCE_MISMATCH, "the ID token's nonce is not this sign-in's");
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new TokenRefusedException(TokenRefusal.MALFORMED, "the token has no sub");
    }
    List<String> groups = groups(claims.toJSONObject(), issuer.settings().groupsClaim());
    List<String> allowed = issuer.settings().allowedGroups();
    if (!allowed.isEmpty() && groups.stream().noneMatch(allowed::contains)) {
      throw new TokenRefusedException(
          TokenRefusal.GROUP_NOT_ALLOWED,
          subject + " is in none of the allowed groups " + allowed);
    }
    return new VerifiedToken(
        subject, displayName(claims, subject), groups, claims.getExpirationTime().toInstant());
  }

  private static SignedJWT parse(String token) throws TokenRefusedException {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw new TokenRefusedException(
          TokenRefusal.MALFORMED, "empty, or longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token.strip());
    } catch (ParseException | IllegalArgumentException e) {
      throw new TokenRefusedException(TokenRefusal.MALFORMED, "not a JWT");
    }
    if (jwt instanceof SignedJWT signed) {
      return signed;
    }
    throw new TokenRefusedException(
        TokenRefusal.ALGORITHM_NOT_ALLOWED,
        (jwt instanceof PlainJWT ? "an unsigned token (alg none)" : "an encrypted token")
            + " is not accepted");
  }

  private void verifySignature(SignedJWT jwt) throws TokenRefusedException {
    JWSHeader header = jwt.getHeader();
    if (!ALLOWED.contains(header.getAlgorithm())) {
      throw new TokenRefusedException(
          TokenRefusal.ALGORITHM_NOT_ALLOWED, "alg " + header.getAlgorithm() + " is not allowed");
    }
    JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
    OidcIssuer.KeyLookup lookup;
    try {
      lookup = issuer.keys(new JWKSelector(matcher));
    } catch (IssuerUnreachableException e) {
      throw new TokenRefusedException(TokenRefusal.ISSUER_UNREACHABLE, e.getMessage(), e);
    }
    if (lookup.keys().isEmpty()) {
      throw new TokenRefusedException(
          TokenRefusal.UNKNOWN_KEY,
          "no key of the issuer matches kid "
              + header.getKeyID()
              + (lookup.rateLimited() ? " (key set refetch rate-limited)" : ""));
    }
    for (JWK key : lookup.keys()) {
      JWSVerifier verifier = verifier(key);
      try {
        if (verifier != null && jwt.verify(verifier)) {
          return;
        }
      } catch (JOSEException | IllegalStateException e) {
        // a key unusable for this token (wrong curve, say) counts as not verifying with it
      }
    }
    throw new TokenRefusedException(
        TokenRefusal.BAD_SIGNATURE, "the signature does not verify with key " + header.getKeyID());
  }

  private static JWSVerifier verifier(JWK key) {
    try {
      if (key instanceof RSAKey rsa) {
        return rsa.size() >= MIN_RSA_BITS ? new RSASSAVerifier(rsa) : null;
      }
      if (key instanceof ECKey ec) {
        return new ECDSAVerifier(ec);
      }
    } catch (JOSEException e) {
      return null;
    }
    return null;
  }

  private String metadataIssuer() throws TokenRefusedException {
    try {
      return issuer.metadata().issuer();
    } catch (IssuerUnreachableException e) {
      throw new TokenRefusedException(TokenRefusal.ISSUER_UNREACHABLE, e.getMessage(), e);
    }
  }

  private void checkTimes(JWTClaimsSet claims) throws TokenRefusedException {
    Instant now = clock.instant();
    long skew = issuer.settings().clockSkew().toMillis();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new TokenRefusedException(TokenRefusal.MALFORMED, "the token has no exp");
    }
    if (!now.isBefore(exp.toInstant().plusMillis(skew))) {
      throw new TokenRefusedException(
          TokenRefusal.EXPIRED, "expired at " + exp.toInstant() + " (now " + now + ")");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plusMillis(skew).isBefore(nbf.toInstant())) {
      throw new TokenRefusedException(
          TokenRefusal.NOT_YET_VALID, "not valid before " + nbf.toInstant() + " (now " + now + ")");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now.plusMillis(skew).isBefore(iat.toInstant())) {
      throw new TokenRefusedException(
          TokenRefusal.NOT_YET_VALID, "issued in the future, at " + iat.toInstant());
    }
  }

  /**
   * The values of {@code claim}: a JSON array of strings or one string; a dotted name walks into
   * objects ({@code realm_access.roles}). A claim that is absent or of another shape gives none.
   */
  static List<String> groups(Map<String, Object> claims, String claim) {
    Object value;
    if (claims.containsKey(claim)) {
      value = claims.get(claim); // also a claim whose own name has dots (URIs do)
    } else {
      value = claims;
      for (String part : claim.split("\\.")) {
        value = value instanceof Map<?, ?> map ? map.get(part) : null;
      }
    }
    List<String> out = new ArrayList<>();
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && out.size() < MAX_GROUPS) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static String displayName(JWTClaimsSet claims, String subject) {
    for (String c : List.of("preferred_username", "email", "upn")) {
      String v = stringClaim(claims, c);
      if (v != null && !v.isBlank() && v.length() <= 256 && v.chars().noneMatch(ch -> ch < 0x20)) {
        return v;
      }
    }
    return subject;
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : null;
  }
}
