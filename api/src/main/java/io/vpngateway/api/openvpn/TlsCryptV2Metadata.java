package io.vpngateway.api.openvpn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Metadata bound into a tls-crypt-v2 WKc: a type byte then the value. Type 0x00 is user data
 * (here: the client's name, so the gateway can tie a key to a ClientCertificate), 0x01 a 64-bit
 * big-endian UNIX timestamp (what {@code openvpn --genkey tls-crypt-v2-client} writes by default).
 */
public record TlsCryptV2Metadata(int type, byte[] value) {
  public static final int TYPE_USER = 0x00;
  public static final int TYPE_TIMESTAMP = 0x01;

  public TlsCryptV2Metadata {
    if (type < 0 || type > 0xff) {
      throw new IllegalArgumentException("metadata type is one byte");
    }
    value = value.clone();
  }

  public static TlsCryptV2Metadata user(String text) {
    return new TlsCryptV2Metadata(TYPE_USER, text.getBytes(StandardCharsets.UTF_8));
  }

  public static TlsCryptV2Metadata timestamp(Instant when) {
    return new TlsCryptV2Metadata(
        TYPE_TIMESTAMP, ByteBuffer.allocate(8).putLong(when.getEpochSecond()).array());
  }

  static TlsCryptV2Metadata decode(byte[] raw) throws OpenVpnKeyFormatException {
    if (raw.length < 1) {
      throw new OpenVpnKeyFormatException("WKc metadata is empty");
    }
    return new TlsCryptV2Metadata(raw[0] & 0xff, Arrays.copyOfRange(raw, 1, raw.length));
  }

  byte[] encoded() {
    byte[] out = new byte[value.length + 1];
    out[0] = (byte) type;
    System.arraycopy(value, 0, out, 1, value.length);
    return out;
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The user text for {@link #TYPE_USER}, the epoch second for a timestamp, else hex length. */
  public String describe() {
    if (type == TYPE_USER) {
      return new String(value, StandardCharsets.UTF_8);
    }
    if (type == TYPE_TIMESTAMP && value.length == 8) {
      long seconds = ByteBuffer.wrap(value).getLong();
      try {
        return Instant.ofEpochSecond(seconds).toString();
      } catch (java.time.DateTimeException e) {
        return "timestamp " + seconds + " (out of range)"; // any 8 bytes can arrive here
      }
    }
    return "type " + type + ", " + value.length + " bytes";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsCryptV2Metadata m && m.type == type && Arrays.equals(m.value, value);
  }

  @Override
  public int hashCode() {
    return type * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "TlsCryptV2Metadata[type=" + type + ", " + value.length + " bytes]";
  }
}
