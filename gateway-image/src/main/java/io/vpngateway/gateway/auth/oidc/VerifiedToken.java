package io.vpngateway.gateway.auth.oidc;

import java.time.Instant;
import java.util.List;

/**
 * What a token that passed every check says about its user.
 *
 * @param subject {@code sub}: stable, unique within the issuer
 * @param name the name sessions and logs show: {@code preferred_username}, else {@code email},
 *     else {@code upn}, else {@code sub}
 * @param groups the configured groups claim's values (empty when absent)
 * @param expiresAt {@code exp}: the gateway lets no session outlive this without a new sign-in
 */
public record VerifiedToken(String subject, String name, List<String> groups, Instant expiresAt) {
  public VerifiedToken {
    groups = List.copyOf(groups);
  }
}
