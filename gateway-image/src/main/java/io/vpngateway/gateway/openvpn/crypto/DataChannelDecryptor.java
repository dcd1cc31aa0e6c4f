package io.vpngateway.gateway.openvpn.crypto;

import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens incoming data-channel packets for one key (layout in {@link DataChannelEncryptor}) and
 * enforces the replay window. The tag is authenticated before any plaintext is released, and the
 * replay window only advances for packets that authenticated.
 */
public final class DataChannelDecryptor {
  private final DataCipherSuite suite;
  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] nonce = new byte[AeadParameters.NONCE_LENGTH];
  private final byte[] aad = new byte[8];
  private final ReplayWindow replay = new ReplayWindow();

  public DataChannelDecryptor(DataCipherSuite suite, byte[] key, byte[] implicitIv)
      throws GeneralSecurityException {
    this.suite = suite;
    this.cipher = Cipher.getInstance(suite.transformation());
    this.key = new SecretKeySpec(key, suite.keyAlgorithm());
    System.arraycopy(implicitIv, 0, nonce, 4, 8);
  }

  /**
   * Opens the packet in {@code packet} (position 0 = first byte, limit = end). The buffer is
   * modified: the tag is copied behind the ciphertext, so it needs 16 bytes of spare capacity.
   * The plaintext is written to {@code out} (cleared, then flipped).
   *
   * @param headerLength 4 for P_DATA_V2 (op + peer-id are authenticated), 1 for P_DATA_V1
   */
  public synchronized void open(ByteBuffer packet, int headerLength, ByteBuffer out)
      throws PacketAuthenticationException {
    int start = packet.position();
    int end = packet.limit();
    int ctAt = start + headerLength + 4 + AeadParameters.TAG_LENGTH;
    if (end < ctAt || packet.capacity() < end + AeadParameters.TAG_LENGTH) {
      throw new PacketAuthenticationException("data packet too short");
    }
    long pid = packet.getInt(start + headerLength) & 0xffffffffL;
    if (!replay.check(pid)) {
      throw PacketAuthenticationException.replay("replayed or too old packet id");
    }
    int aadLen = 0;
    if (headerLength == 4) {
      for (; aadLen < 4; aadLen++) {
        aad[aadLen] = packet.get(start + aadLen);
      }
    }
    for (int i = 0; i < 4; i++) {
      aad[aadLen + i] = packet.get(start + headerLength + i);
      nonce[i] = aad[aadLen + i];
    }
    aadLen += 4;
    int tagAt = start + headerLength + 4;
    packet.limit(end + AeadParameters.TAG_LENGTH);
    for (int i = 0; i < AeadParameters.TAG_LENGTH; i++) {
      packet.put(end + i, packet.get(tagAt + i));
    }
    packet.position(ctAt);
    out.clear();
    try {
      AeadParameters.init(cipher, Cipher.DECRYPT_MODE, suite, key, nonce);
      cipher.updateAAD(aad, 0, aadLen);
      cipher.doFinal(packet, out);
    } catch (GeneralSecurityException e) {
      throw new PacketAuthenticationException("AEAD tag mismatch");
    } finally {
      packet.limit(end);
    }
    out.flip();
    replay.accept(pid);
  }
}
