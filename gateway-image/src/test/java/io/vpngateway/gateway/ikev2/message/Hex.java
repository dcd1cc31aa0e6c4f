package io.vpngateway.gateway.ikev2.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Hex test vectors from {@code src/test/resources/ikev2}. */
public final class Hex {
  private Hex() {}

  public static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
  }

  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** A captured message, e.g. {@code strongswan-ike-sa-init-request.hex}. */
  public static byte[] resource(String name) {
    try (InputStream in = Hex.class.getResourceAsStream("/ikev2/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /ikev2/" + name);
      }
      return bytes(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
