package io.vpngateway.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayTokensTest {
  private static final GatewayConfig.Files FILES = GatewayConfig.Files.defaults();
  private final SecureRandom random = new SecureRandom();

  @Test
  void newTokensAreBase64UrlAndLongEnoughForTheGateway() {
    String key = GatewayTokens.newAuthTokenKey(random);
    String token = GatewayTokens.newManagementToken(random);
    assertEquals(GatewayTokens.AUTH_TOKEN_KEY_BYTES, Base64.getUrlDecoder().decode(key).length);
    assertTrue(key.matches("[A-Za-z0-9_-]+"), key);
    assertTrue(token.matches("[A-Za-z0-9_-]+"), token);
    assertTrue(token.length() >= GatewayTokens.MIN_MANAGEMENT_TOKEN_LENGTH);
    assertTrue(GatewayTokens.AUTH_TOKEN_KEY_BYTES >= GatewayTokens.MIN_AUTH_TOKEN_KEY_BYTES);
    assertNotEquals(token, GatewayTokens.newManagementToken(random));
  }

  @Test
  void existingTokensAreKeptAndMissingOrBlankOnesMade() {
    Map<String, String> made = GatewayTokens.keepOrCreate(FILES, f -> Optional.empty(), random);
    assertEquals(2, made.size());

    Map<String, String> kept =
        GatewayTokens.keepOrCreate(FILES, f -> Optional.of(made.get(f)), random);
    assertEquals(made, kept);

    Map<String, String> oneBlank =
        GatewayTokens.keepOrCreate(
            FILES,
            f -> Optional.of(f.equals(FILES.managementToken()) ? " \n" : made.get(f)),
            random);
    assertEquals(made.get(FILES.authTokenKey()), oneBlank.get(FILES.authTokenKey()));
    assertNotEquals(made.get(FILES.managementToken()), oneBlank.get(FILES.managementToken()));
    assertTrue(!oneBlank.get(FILES.managementToken()).isBlank());
  }
}
