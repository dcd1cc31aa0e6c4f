package io.vpngateway.api.config;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The two random secrets a gateway's config directory holds beside the document: the OpenVPN
 * auth-token HMAC key (shared by all replicas, so a token issued by one is valid on every other)
 * and the management API's bearer token. Made once by whoever prepares the directory (the operator
 * into the config Secret, {@code vpngw serve -f} into the state directory) and kept from then on:
 * replacing the key logs every client out, replacing the token locks out whoever reads metrics.
 *
 * <p>Both are base64url without padding: text that survives copy-paste and the loader's
 * trailing-whitespace trim; the gateway reads the key as base64 (either alphabet) and the token as
 * text.
 */
public final class GatewayTokens {
  /** Bytes of a new auth-token key; HMAC-SHA256 gains nothing beyond its 64-byte block. */
  public static final int AUTH_TOKEN_KEY_BYTES = 48;

  /** The gateway refuses an auth-token key shorter than this (decoded). */
  public static final int MIN_AUTH_TOKEN_KEY_BYTES = 32;

  /** Bytes of a new management token (43 characters of base64url). */
  public static final int MANAGEMENT_TOKEN_BYTES = 32;

  /** The gateway refuses a management token shorter than this (characters: 128 bits). */
  public static final int MIN_MANAGEMENT_TOKEN_LENGTH = 22;

  private GatewayTokens() {}

  public static String newAuthTokenKey(SecureRandom random) {
    return random(random, AUTH_TOKEN_KEY_BYTES);
  }

  public static String newManagementToken(SecureRandom random) {
    return random(random, MANAGEMENT_TOKEN_BYTES);
  }

  /**
   * The token files of {@code files}, each kept from {@code existing} (file name to its current
   * text, empty when absent) when it has a non-blank value, else newly made.
   *
   * @return file name to content, in a stable order
   */
  public static Map<String, String> keepOrCreate(
      GatewayConfig.Files files, Function<String, Optional<String>> existing, SecureRandom random) {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put(
        files.authTokenKey(),
        kept(existing, files.authTokenKey()).orElseGet(() -> newAuthTokenKey(random)));
    tokens.put(
        files.managementToken(),
        kept(existing, files.managementToken()).orElseGet(() -> newManagementToken(random)));
    return tokens;
  }

  private static Optional<String> kept(Function<String, Optional<String>> existing, String file) {
    return existing.apply(file).filter(v -> !v.isBlank());
  }

  private static String random(SecureRandom random, int bytes) {
    byte[] secret = new byte[bytes];
    random.nextBytes(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }
}
