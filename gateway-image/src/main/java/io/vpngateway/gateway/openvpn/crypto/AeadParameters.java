package io.vpngateway.gateway.openvpn.crypto;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Initialises a reused AEAD {@link Cipher} for one packet's nonce. */
final class AeadParameters {
  static final int TAG_LENGTH = 16;
  static final int NONCE_LENGTH = 12;

  private AeadParameters() {}

  static void init(Cipher cipher, int mode, DataCipherSuite suite, SecretKeySpec key, byte[] nonce)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (suite.isGcm()) {
      cipher.init(mode, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
    } else {
      cipher.init(mode, key, new IvParameterSpec(nonce));
    }
  }

  /** Writes the 4-byte packet id big-endian in front of the implicit IV already in {@code nonce}. */
  static void setPacketId(byte[] nonce, long packetId) {
    nonce[0] = (byte) (packetId >>> 24);
    nonce[1] = (byte) (packetId >>> 16);
    nonce[2] = (byte) (packetId >>> 8);
    nonce[3] = (byte) packetId;
  }
}
