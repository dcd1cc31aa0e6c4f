package io.vpngateway.gateway.ikev2.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals outbound ESP packets of one SA, tunnel mode, RFC 4303 §2-§3:
 *
 * <pre>
 * SPI (4) | Sequence Number (4) | IV | E(inner IP packet | padding | pad length | next header 4) | ICV
 * AES-GCM (RFC 4106): IV (8) = the 64-bit counter, nonce = salt | IV, AAD = SPI | Seq, ICV = tag (16)
 * AES-CBC (RFC 3602) + HMAC (RFC 2404/4868): IV (16) unpredictable, ICV = HMAC(SPI..ciphertext)
 * </pre>
 *
 * Padding makes the trailer end on a 4-octet (GCM) or 16-octet (CBC) boundary with the default
 * pad bytes 1, 2, 3, ... (§2.4). CBC IVs are AES encryptions of a counter under a random per-SA
 * key, unpredictable to an observer as RFC 3602 §2.2 asks, without a random draw per packet.
 *
 * <p>Thread-safe: packets from several TUN readers serialise on this object, which keeps the
 * sequence numbers in order on the wire. Sequence numbers do not wrap (§3.3.3): at 2^32 - 1 the
 * SA stops sending and must have been rekeyed before.
 */
public final class EspEncryptor {
  /** Trailer: pad length and next header. */
  static final int TRAILER = 2;
  static final int NEXT_HEADER_IPV4 = 4;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int spi;
  private final EspSuite suite;
  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] salt;
  private final byte[] nonce = new byte[12];
  private final Mac mac;
  private final int icvLength;
  private final Cipher ivGenerator;
  private final byte[] ivBlock = new byte[16];
  private final byte[] iv = new byte[16];
  private final byte[] trailer = new byte[16 + TRAILER];
  private long sequence;

  /**
   * @param spi the peer's inbound SPI, which labels our outbound packets
   * @param encryptionKey the cipher key, followed by the salt for GCM
   * @param integrityKey the HMAC key (empty for GCM)
   */
  public EspEncryptor(int spi, EspSuite suite, byte[] encryptionKey, byte[] integrityKey)
      throws GeneralSecurityException {
    this.spi = spi;
    this.suite = suite;
    int keyLength = suite.keyBits() / 8;
    this.key = new SecretKeySpec(Arrays.copyOf(encryptionKey, keyLength), "AES");
    this.salt = Arrays.copyOfRange(encryptionKey, keyLength, encryptionKey.length);
    System.arraycopy(salt, 0, nonce, 0, salt.length);
    for (int i = 0; i < 16; i++) {
      trailer[i] = (byte) (i + 1);
    }
    if (suite.encryption().isAead()) {
      cipher = JcaInstances.newCipher("AES/GCM/NoPadding");
      mac = null;
      icvLength = 16;
      ivGenerator = null;
    } else {
      cipher = JcaInstances.newCipher("AES/CBC/NoPadding");
      String h = suite.integrity().jcaName();
      mac = Mac.getInstance(h);
      mac.init(new SecretKeySpec(integrityKey, h));
      icvLength = suite.integrity().icvLength();
      byte[] ivKey = new byte[16];
      RANDOM.nextBytes(ivKey);
      ivGenerator = JcaInstances.newCipher("AES/ECB/NoPadding");
      ivGenerator.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(ivKey, "AES"));
    }
  }

  public int spi() {
    return spi;
  }

  /** Octets an ESP packet adds at most to an inner packet (header, IV, padding, trailer, ICV). */
  public int maxOverhead() {
    return 8 + suite.encryption().ivLength() + 15 + TRAILER + icvLength;
  }

  /**
   * Encrypts the IPv4 packet in {@code plain} (position to limit) into {@code out} (heap, cleared
   * here, left flipped at the ESP packet), using {@code scratch} (heap, at least the packet plus
   * 32 octets) for the padded plaintext. Returns false when the sequence space is used up.
   */
  public synchronized boolean seal(ByteBuffer plain, ByteBuffer out, ByteBuffer scratch)
      throws GeneralSecurityException {
    if (sequence >= 0xffffffffL) {
      return false;
    }
    long seq = ++sequence;
    int len = plain.remaining();
    boolean gcm = mac == null;
    int align = gcm ? 4 : 16;
    int padLength = (align - ((len + TRAILER) % align)) % align;
    scratch.clear();
    scratch.put(plain);
    scratch.put(trailer, 0, padLength);
    scratch.put((byte) padLength).put((byte) NEXT_HEADER_IPV4);
    scratch.flip();
    out.clear();
    out.putInt(spi).putInt((int) seq);
    if (gcm) {
      out.putLong(seq);
      nonce[4] = 0;
      nonce[5] = 0;
      nonce[6] = 0;
      nonce[7] = 0;
      nonce[8] = (byte) (seq >>> 24);
      nonce[9] = (byte) (seq >>> 16);
      nonce[10] = (byte) (seq >>> 8);
      nonce[11] = (byte) seq;
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(out.array(), out.arrayOffset(), 8);
      cipher.doFinal(scratch, out);
    } else {
      ivBlock[8] = (byte) (seq >>> 56);
      ivBlock[9] = (byte) (seq >>> 48);
      ivBlock[12] = (byte) (seq >>> 24);
      ivBlock[13] = (byte) (seq >>> 16);
      ivBlock[14] = (byte) (seq >>> 8);
      ivBlock[15] = (byte) seq;
      ivGenerator.doFinal(ivBlock, 0, 16, iv, 0);
      out.put(iv);
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
      cipher.doFinal(scratch, out);
      mac.update(out.array(), out.arrayOffset(), out.position());
      out.put(mac.doFinal(), 0, icvLength);
    }
    out.flip();
    return true;
  }

  public synchronized long packetsSent() {
    return sequence;
  }
}
