package io.vpngateway.gateway.openvpn.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals outgoing data-channel packets for one key and direction, in openvpn 2.6's AEAD layout
 * (openvpn {@code crypto.c: openvpn_encrypt_aead}):
 *
 * <pre>
 * P_DATA_V2: op|kid(1) peer-id(3) | packet-id(4) | tag(16) | ciphertext
 * nonce = packet-id(4) || implicit IV(8);  AAD = op|kid|peer-id(4) || packet-id(4)
 * </pre>
 *
 * One {@link Cipher} is reused for every packet; the output is built in the caller's buffer with
 * no copy of the payload: the JDK writes {@code ciphertext || tag} at offset 24 and only the 16
 * tag bytes are moved into their slot. Thread-safe (packets from several TUN workers serialise on
 * this object).
 */
public final class DataChannelEncryptor {
  /** Header, packet id and tag in front of the ciphertext. */
  public static final int OVERHEAD = 4 + 4 + AeadParameters.TAG_LENGTH;
  /** Rotate keys long before the 32-bit packet id could wrap. */
  public static final long PACKET_ID_SOFT_LIMIT = 0xF0000000L;

  private final DataCipherSuite suite;
  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] nonce = new byte[AeadParameters.NONCE_LENGTH];
  private final byte[] aad = new byte[8];
  private final int header;
  private long nextPacketId = 1;

  /**
   * @param header the first four bytes: {@code (P_DATA_V2 << 3 | keyId) << 24 | peerId}
   */
  public DataChannelEncryptor(DataCipherSuite suite, byte[] key, byte[] implicitIv, int header)
      throws GeneralSecurityException {
    this.suite = suite;
    this.cipher = Cipher.getInstance(suite.transformation());
    this.key = new SecretKeySpec(key, suite.keyAlgorithm());
    System.arraycopy(implicitIv, 0, nonce, 4, 8);
    this.header = header;
  }

  /**
   * Encrypts {@code plain} (position to limit, consumed) into {@code out}, which is cleared and
   * left flipped (position 0, limit = packet length). {@code out} needs {@code plain.remaining()
   * + OVERHEAD + 16} bytes of capacity.
   */
  public synchronized void seal(ByteBuffer plain, ByteBuffer out) throws GeneralSecurityException {
    long pid = nextPacketId++;
    if (pid > 0xFFFFFFFFL) {
      throw new GeneralSecurityException("packet id space exhausted; key must be renegotiated");
    }
    AeadParameters.setPacketId(nonce, pid);
    aad[0] = (byte) (header >>> 24);
    aad[1] = (byte) (header >>> 16);
    aad[2] = (byte) (header >>> 8);
    aad[3] = (byte) header;
    System.arraycopy(nonce, 0, aad, 4, 4);
    AeadParameters.init(cipher, Cipher.ENCRYPT_MODE, suite, key, nonce);
    cipher.updateAAD(aad, 0, 8);
    out.clear();
    out.putInt(header).put(nonce, 0, 4);
    out.position(OVERHEAD);
    int n = cipher.doFinal(plain, out);
    int tagAt = OVERHEAD + n - AeadParameters.TAG_LENGTH;
    for (int i = 0; i < AeadParameters.TAG_LENGTH; i++) {
      out.put(8 + i, out.get(tagAt + i));
    }
    out.limit(tagAt).position(0);
  }

  public synchronized long packetsSent() {
    return nextPacketId - 1;
  }
}
