package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens inbound ESP packets of one SA (layout in {@link EspEncryptor}), RFC 4303 §3.4: the replay
 * window is checked first, then integrity (the GCM tag, or the HMAC compared in constant time
 * before anything is decrypted), then the padding and next header; the window only advances for
 * packets that authenticated.
 */
public final class EspDecryptor {
  private final int spi;
  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] nonce = new byte[12];
  private final Mac mac;
  private final int icvLength;
  private final int ivLength;
  private final byte[] icv = new byte[32];
  private final EspReplayWindow replay = new EspReplayWindow();

  public EspDecryptor(int spi, EspSuite suite, byte[] encryptionKey, byte[] integrityKey)
      throws GeneralSecurityException {
    this.spi = spi;
    int keyLength = suite.keyBits() / 8;
    this.key = new SecretKeySpec(Arrays.copyOf(encryptionKey, keyLength), "AES");
    System.arraycopy(encryptionKey, keyLength, nonce, 0, encryptionKey.length - keyLength);
    this.ivLength = suite.encryption().ivLength();
    if (suite.encryption().isAead()) {
      cipher = JcaInstances.newCipher("AES/GCM/NoPadding");
      mac = null;
      icvLength = 16;
    } else {
      cipher = JcaInstances.newCipher("AES/CBC/NoPadding");
      String h = suite.integrity().jcaName();
      mac = Mac.getInstance(h);
      mac.init(new SecretKeySpec(integrityKey, h));
      icvLength = suite.integrity().icvLength();
    }
  }

  public int spi() {
    return spi;
  }

  /**
   * Opens the ESP packet in {@code packet} (heap; position at the SPI, limit at the end) and
   * writes the inner IP packet to {@code out} (heap, cleared here, left flipped).
   *
   * @throws MessageIntegrityException for a replay, a failed integrity check or a bad trailer
   */
  public synchronized void open(ByteBuffer packet, ByteBuffer out)
      throws MessageIntegrityException {
    int start = packet.position();
    int end = packet.limit();
    int ctAt = start + 8 + ivLength;
    int cipherLength = end - ctAt - icvLength;
    boolean gcm = mac == null;
    if (cipherLength < 4 || (!gcm && cipherLength % 16 != 0)) {
      throw new MessageIntegrityException("ESP packet of impossible length");
    }
    long seq = packet.getInt(start + 4) & 0xffffffffL;
    if (!replay.check(seq)) {
      throw MessageIntegrityException.replay("replayed or too old sequence number");
    }
    byte[] a = packet.array();
    int base = packet.arrayOffset();
    out.clear();
    try {
      if (gcm) {
        System.arraycopy(a, base + start + 8, nonce, 4, 8);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(a, base + start, 8);
        packet.position(ctAt);
        cipher.doFinal(packet, out);
      } else {
        mac.update(a, base + start, end - start - icvLength);
        byte[] full = mac.doFinal();
        System.arraycopy(a, base + end - icvLength, icv, 0, icvLength);
        if (!MessageDigest.isEqual(
            Arrays.copyOf(full, icvLength), Arrays.copyOf(icv, icvLength))) {
          throw new MessageIntegrityException("ICV mismatch");
        }
        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(a, base + start + 8, 16));
        packet.position(ctAt).limit(ctAt + cipherLength);
        cipher.doFinal(packet, out);
      }
    } catch (GeneralSecurityException e) {
      throw new MessageIntegrityException("ESP authentication failed");
    } finally {
      packet.limit(end).position(start);
    }
    int n = out.position();
    int nextHeader = out.get(n - 1) & 0xff;
    int padLength = out.get(n - 2) & 0xff;
    if (padLength + 2 > n) {
      throw new MessageIntegrityException("ESP pad length exceeds the payload");
    }
    replay.accept(seq);
    out.limit(n - 2 - padLength).position(0);
    if (nextHeader != EspEncryptor.NEXT_HEADER_IPV4) {
      // 59 is a dummy packet (RFC 4303 §2.6); anything else is not for an IPv4 tunnel
      out.limit(0);
    }
  }

  public synchronized long highestSequence() {
    return replay.highest();
  }
}
