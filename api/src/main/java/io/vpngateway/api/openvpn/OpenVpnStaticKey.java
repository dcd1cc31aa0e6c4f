package io.vpngateway.api.openvpn;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A 2048-bit OpenVPN static key ({@code struct key2}: two keys of 64 cipher + 64 HMAC bytes), as
 * used by {@code --tls-crypt} and as the client key Kc inside tls-crypt-v2. The file format is
 * OpenVPN's "OpenVPN Static key V1": 16 lines of 32 hex digits between BEGIN/END lines (see
 * openvpn {@code crypto.c: write_key_file / read_key_file}).
 *
 * <p>Layout: {@code [0,64)} key 0 cipher, {@code [64,128)} key 0 HMAC, {@code [128,192)} key 1
 * cipher, {@code [192,256)} key 1 HMAC. With tls-crypt the server encrypts with key 0 and the
 * client with key 1 ({@code tls_crypt_init_key}: server uses KEY_DIRECTION_NORMAL).
 */
public final class OpenVpnStaticKey {
  public static final int LENGTH = 256;
  static final String LABEL = "OpenVPN Static key V1";
  private final byte[] bytes;

  private OpenVpnStaticKey(byte[] bytes) {
    this.bytes = bytes;
  }

  public static OpenVpnStaticKey generate(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new OpenVpnStaticKey(b);
  }

  public static OpenVpnStaticKey of(byte[] raw) throws OpenVpnKeyFormatException {
    if (raw.length != LENGTH) {
      throw new OpenVpnKeyFormatException("static key must be 256 bytes, got " + raw.length);
    }
    return new OpenVpnStaticKey(raw.clone());
  }

  /** Parses the "OpenVPN Static key V1" file format (comments outside the armour are ignored). */
  public static OpenVpnStaticKey parse(String pem) throws OpenVpnKeyFormatException {
    List<String> lines = Pem.body(pem, LABEL);
    String hex = String.join("", lines);
    if (hex.length() != LENGTH * 2) {
      throw new OpenVpnKeyFormatException(
          "static key must hold 512 hex digits, found " + hex.length());
    }
    try {
      return new OpenVpnStaticKey(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new OpenVpnKeyFormatException("static key has a non-hex character");
    }
  }

  public String toPem() {
    StringBuilder sb = new StringBuilder();
    sb.append("#\n# 2048 bit OpenVPN static key\n#\n").append(Pem.begin(LABEL)).append('\n');
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < LENGTH; i += 16) {
      sb.append(hex.formatHex(bytes, i, i + 16)).append('\n');
    }
    return sb.append(Pem.end(LABEL)).append('\n').toString();
  }

  /** A copy of the 256 raw bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@code len} bytes starting at {@code offset}, copied. */
  public byte[] slice(int offset, int len) {
    return Arrays.copyOfRange(bytes, offset, offset + len);
  }

  @Override
  public String toString() {
    return "OpenVpnStaticKey[redacted]";
  }
}
