package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Encodes and reads Secret {@code data}. Desired Secrets always use {@code data} (never {@code
 * stringData}, which the API server folds into {@code data}) so that a desired Secret compares
 * equal to the stored one and an unchanged gateway causes no write.
 */
public final class SecretData {
  private SecretData() {}

  /** Base64-encodes the values, in key order. */
  public static Map<String, String> encode(Map<String, String> plain) {
    Map<String, String> data = new TreeMap<>();
    plain.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  /** One base64-encoded value. */
  public static String encodeValue(String plain) {
    return Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** Base64-encodes binary values, in key order. */
  public static Map<String, String> encodeBytes(Map<String, byte[]> plain) {
    Map<String, String> data = new TreeMap<>();
    plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v)));
    return data;
  }

  /** The decoded value of {@code key}, if the Secret has it. */
  public static Optional<String> get(Secret secret, String key) {
    return bytes(secret, key).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /**
   * The decoded bytes of {@code key} from {@code data} or, before the API server folded it, {@code
   * stringData}.
   */
  public static Optional<byte[]> bytes(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return Optional.of(Base64.getDecoder().decode(secret.getData().get(key)));
    }
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      return Optional.of(secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }
}
