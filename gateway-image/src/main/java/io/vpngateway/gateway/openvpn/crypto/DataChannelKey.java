package io.vpngateway.gateway.openvpn.crypto;

import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Both directions of the data channel for one key id, built from the negotiated cipher and the key
 * material (the factory of the data-channel crypto, cf. AOSP {@code IkeCipher.create}).
 */
public final class DataChannelKey {
  private final int keyId;
  private final DataCipherSuite suite;
  private final DataChannelEncryptor encryptor;
  private final DataChannelDecryptor decryptor;
  private final long createdNanos;
  private final AtomicLong bytes = new AtomicLong();

  private DataChannelKey(int keyId, DataCipherSuite suite, DataChannelEncryptor e,
      DataChannelDecryptor d, long createdNanos) {
    this.keyId = keyId;
    this.suite = suite;
    this.encryptor = e;
    this.decryptor = d;
    this.createdNanos = createdNanos;
  }

  /** Builds the key and wipes {@code material}. */
  public static DataChannelKey create(
      DataCipherSuite suite, DataChannelKeyMaterial material, int keyId, int peerId)
      throws GeneralSecurityException {
    int header = ((OpenVpnOpcode.P_DATA_V2.headerByte(keyId) & 0xff) << 24) | (peerId & 0xffffff);
    try {
      DataChannelEncryptor e = new DataChannelEncryptor(suite,
          material.sendCipherKey(suite.keyLength()), material.sendImplicitIv(), header);
      DataChannelDecryptor d = new DataChannelDecryptor(suite,
          material.receiveCipherKey(suite.keyLength()), material.receiveImplicitIv());
      return new DataChannelKey(keyId, suite, e, d, System.nanoTime());
    } finally {
      material.wipe();
    }
  }

  public int keyId() {
    return keyId;
  }

  public DataCipherSuite suite() {
    return suite;
  }

  public DataChannelEncryptor encryptor() {
    return encryptor;
  }

  public DataChannelDecryptor decryptor() {
    return decryptor;
  }

  public long createdNanos() {
    return createdNanos;
  }

  /** Adds to the bytes carried under this key (both directions; for reneg-bytes). */
  public long addBytes(int n) {
    return bytes.addAndGet(n);
  }

  public long bytes() {
    return bytes.get();
  }
}
