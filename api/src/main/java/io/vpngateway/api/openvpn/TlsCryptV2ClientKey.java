package io.vpngateway.api.openvpn;

import java.util.Arrays;

/**
 * A tls-crypt-v2 client key file: the client's own tls-crypt key Kc followed by WKc, the same key
 * wrapped under the server key (the client sends WKc unchanged in its first packet). PEM label
 * "OpenVPN tls-crypt-v2 client key", base64 body.
 */
public final class TlsCryptV2ClientKey {
  static final String LABEL = "OpenVPN tls-crypt-v2 client key";
  private final OpenVpnStaticKey key;
  private final byte[] wrapped;

  TlsCryptV2ClientKey(OpenVpnStaticKey key, byte[] wrapped) {
    this.key = key;
    this.wrapped = wrapped;
  }

  public static TlsCryptV2ClientKey parse(String pem) throws OpenVpnKeyFormatException {
    byte[] raw = TlsCryptV2ServerKey.decodeBase64(String.join("", Pem.body(pem, LABEL)));
    if (raw.length <= OpenVpnStaticKey.LENGTH + TlsCryptV2ServerKey.TAG_LENGTH + 2) {
      throw new OpenVpnKeyFormatException("tls-crypt-v2 client key too short");
    }
    return new TlsCryptV2ClientKey(
        OpenVpnStaticKey.of(Arrays.copyOf(raw, OpenVpnStaticKey.LENGTH)),
        Arrays.copyOfRange(raw, OpenVpnStaticKey.LENGTH, raw.length));
  }

  public String toPem() {
    byte[] k = key.bytes();
    byte[] all = Arrays.copyOf(k, k.length + wrapped.length);
    System.arraycopy(wrapped, 0, all, k.length, wrapped.length);
    return TlsCryptV2ServerKey.armour(LABEL, all);
  }

  public OpenVpnStaticKey key() {
    return key;
  }

  /** A copy of WKc. */
  public byte[] wrappedKey() {
    return wrapped.clone();
  }

  @Override
  public String toString() {
    return "TlsCryptV2ClientKey[redacted]";
  }
}
