package io.vpngateway.gateway.openvpn.crypto;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The 256 bytes of a data-channel {@code struct key2} (two keys of 64 cipher + 64 HMAC bytes),
 * from either derivation, seen from the server: the server sends with key 1 and receives with key
 * 0 (openvpn {@code generate_key_expansion}: the server uses KEY_DIRECTION_INVERSE). With an AEAD
 * cipher the first bytes of a key's HMAC half are the implicit IV.
 */
public final class DataChannelKeyMaterial {
  public static final int LENGTH = 256;
  private static final String PRF_MASTER = "OpenVPN master secret";
  private static final String PRF_EXPANSION = "OpenVPN key expansion";
  private final byte[] key2;

  private DataChannelKeyMaterial(byte[] key2) {
    if (key2.length != LENGTH) {
      throw new IllegalArgumentException("key material must be 256 bytes");
    }
    this.key2 = key2;
  }

  /** From the TLS exporter, label {@code EXPORTER-OpenVPN-datakeys} (tls-ekm). */
  public static DataChannelKeyMaterial fromExporter(byte[] exported) {
    return new DataChannelKeyMaterial(exported.clone());
  }

  /**
   * Key-method 2 PRF derivation: master = PRF(pre_master, "OpenVPN master secret", c.random1 ||
   * s.random1); key2 = PRF(master, "OpenVPN key expansion", c.random2 || s.random2 || client sid
   * || server sid).
   */
  public static DataChannelKeyMaterial fromPrf(
      byte[] preMaster,
      byte[] clientRandom1,
      byte[] clientRandom2,
      byte[] serverRandom1,
      byte[] serverRandom2,
      long clientSessionId,
      long serverSessionId) {
    byte[] master = Tls1Prf.prf(preMaster, concat(PRF_MASTER.getBytes(), clientRandom1,
        serverRandom1), 48);
    byte[] sids = ByteBuffer.allocate(16).putLong(clientSessionId).putLong(serverSessionId).array();
    byte[] seed = concat(PRF_EXPANSION.getBytes(), clientRandom2, serverRandom2, sids);
    byte[] out = Tls1Prf.prf(master, seed, LENGTH);
    Arrays.fill(master, (byte) 0);
    return new DataChannelKeyMaterial(out);
  }

  public byte[] sendCipherKey(int len) {
    return Arrays.copyOfRange(key2, 128, 128 + len);
  }

  public byte[] sendImplicitIv() {
    return Arrays.copyOfRange(key2, 192, 200);
  }

  public byte[] receiveCipherKey(int len) {
    return Arrays.copyOfRange(key2, 0, len);
  }

  public byte[] receiveImplicitIv() {
    return Arrays.copyOfRange(key2, 64, 72);
  }

  /** Zeroes the material once ciphers are built from it. */
  public void wipe() {
    Arrays.fill(key2, (byte) 0);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
