package io.vpngateway.gateway.auth.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One issuer as the gateway sees it: its discovery document, fetched on first use and again every
 * {@link #METADATA_LIFETIME}, and its JWK set behind Nimbus's cache.
 *
 * <p>Key set: cached {@link #JWKS_CACHE}; a token whose {@code kid} is not in the cache makes one
 * refetch, and refetches are rate-limited to one more per {@link #JWKS_MIN_REFETCH} after the
 * first (Nimbus {@code RateLimitedJWKSetSource}), so tokens with made-up key ids cannot turn the
 * gateway into a load generator against the issuer.
 *
 * <p>An unreachable issuer never fails the gateway: discovery is retried on use, at most every
 * {@link #RETRY_AFTER_FAILURE}, and until it succeeds every new client is refused with {@link
 * TokenRefusal#ISSUER_UNREACHABLE}. Live sessions do not depend on the issuer.
 */
public final class OidcIssuer {
  static final Duration METADATA_LIFETIME = Duration.ofHours(1);
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);
  static final Duration JWKS_CACHE = Duration.ofMinutes(5);
  static final Duration JWKS_REFRESH_TIMEOUT = Duration.ofSeconds(10);
  static final Duration JWKS_MIN_REFETCH = Duration.ofSeconds(30);

  private final OidcSettings settings;
  private final IssuerHttpClient http;
  private final Clock clock;

  private IssuerMetadata metadata;
  private JWKSource<SecurityContext> keys;
  private Instant fetchedAt;
  private IssuerUnreachableException lastFailure;
  private Instant failedAt;
  /** Whether the last exchange with the issuer (discovery or keys) succeeded; null: none yet. */
  private volatile Boolean reachable;

  public OidcIssuer(OidcSettings settings, IssuerHttpClient http, Clock clock) {
    this.settings = settings;
    this.http = http;
    this.clock = clock;
  }

  public OidcSettings settings() {
    return settings;
  }

  public IssuerHttpClient http() {
    return http;
  }

  /** The discovery document; fetched now if never fetched or stale. */
  public synchronized IssuerMetadata metadata() throws IssuerUnreachableException {
    Instant now = clock.instant();
    if (metadata != null && now.isBefore(fetchedAt.plus(METADATA_LIFETIME))) {
      return metadata;
    }
    if (lastFailure != null && now.isBefore(failedAt.plus(RETRY_AFTER_FAILURE))) {
      if (metadata != null) {
        return metadata; // a stale document beats none while the issuer is down
      }
      throw lastFailure;
    }
    try {
      IssuerMetadata fresh = IssuerMetadata.discover(http, settings);
      if (metadata == null || !fresh.jwksUri().equals(metadata.jwksUri())) {
        keys = keySource(fresh);
      }
      metadata = fresh;
      fetchedAt = now;
      lastFailure = null;
      reachable = true;
      return metadata;
    } catch (IssuerUnreachableException e) {
      lastFailure = e;
      failedAt = now;
      reachable = false;
      if (metadata != null) {
        return metadata;
      }
      throw e;
    }
  }

  private JWKSource<SecurityContext> keySource(IssuerMetadata m)
      throws IssuerUnreachableException {
    try {
      return JWKSourceBuilder.<SecurityContext>create(m.jwksUri().toURL(), http)
          .cache(JWKS_CACHE.toMillis(), JWKS_REFRESH_TIMEOUT.toMillis())
          .refreshAheadCache(false)
          .rateLimited(JWKS_MIN_REFETCH.toMillis())
          .build();
    } catch (MalformedURLException e) {
      throw new IssuerUnreachableException("jwks_uri " + m.jwksUri() + " is not a URL");
    }
  }

  /**
   * Whether the last exchange with the issuer (discovery document or key set) succeeded; empty
   * before the first one. A key served from the cache counts as success: the gateway could check
   * tokens with it.
   */
  public Optional<Boolean> reachable() {
    return Optional.ofNullable(reachable);
  }

  /** What a key lookup found. {@code rateLimited}: the kid is unknown and no refetch was allowed. */
  public record KeyLookup(List<JWK> keys, boolean rateLimited) {}

  /**
   * The issuer's keys matching {@code selector}: from the cache, else after one (rate-limited)
   * refetch.
   */
  public KeyLookup keys(JWKSelector selector) throws IssuerUnreachableException {
    JWKSource<SecurityContext> source;
    metadata();
    synchronized (this) {
      source = keys;
    }
    try {
      KeyLookup found = new KeyLookup(source.get(selector, null), false);
      reachable = true;
      return found;
    } catch (RateLimitReachedException e) {
      return new KeyLookup(List.of(), true);
    } catch (KeySourceException e) {
      reachable = false;
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IssuerUnreachableException(
          "the issuer's key set is unavailable: " + cause.getMessage(), e);
    }
  }
}
