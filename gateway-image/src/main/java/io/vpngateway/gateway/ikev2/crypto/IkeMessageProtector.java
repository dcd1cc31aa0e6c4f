package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import io.vpngateway.gateway.ikev2.message.EncryptedPayload;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.IkePayloadCodec;
import io.vpngateway.gateway.ikev2.message.PayloadType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Protects and opens the IKE messages of one IKE SA: the Encrypted and Authenticated payload SK
 * (RFC 7296 §3.14) and its fragments SKF (RFC 7383 §2.5).
 *
 * <pre>
 * AES-CBC + HMAC:  IV (16, random) | E(payloads | padding | pad length) | ICV
 *                  ICV = truncated HMAC(SK_a, whole message up to the ICV)
 * AES-GCM (RFC 5282): IV (8) | E(payloads | pad length) | tag (16)
 *                  nonce = salt (4, from SK_e) | IV;  AAD = message from its start up to the IV
 * </pre>
 *
 * GCM IVs come from a counter, so no IV repeats under one key; CBC IVs are random. Built once per
 * IKE SA by {@link #create} from the negotiated suite; used by the control thread only.
 */
public final class IkeMessageProtector {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int GCM_TAG = 16;

  private final IkeSuite suite;
  private final byte[] outKey;
  private final byte[] outSalt;
  private final byte[] outIntegrityKey;
  private final byte[] inKey;
  private final byte[] inSalt;
  private final byte[] inIntegrityKey;
  private final AtomicLong gcmCounter = new AtomicLong();

  private IkeMessageProtector(
      IkeSuite suite, byte[] outE, byte[] outA, byte[] inE, byte[] inA) {
    this.suite = suite;
    int keyLength = suite.keyBits() / 8;
    this.outKey = Arrays.copyOf(outE, keyLength);
    this.outSalt = Arrays.copyOfRange(outE, keyLength, outE.length);
    this.inKey = Arrays.copyOf(inE, keyLength);
    this.inSalt = Arrays.copyOfRange(inE, keyLength, inE.length);
    this.outIntegrityKey = outA.clone();
    this.inIntegrityKey = inA.clone();
  }

  /**
   * The protector for one side of an IKE SA.
   *
   * @param weAreInitiator whether we are the original initiator of this IKE SA (the rekey
   *     initiator, for an SA created by an IKE rekey, RFC 7296 §2.18)
   */
  public static IkeMessageProtector create(IkeSuite suite, IkeSaKeys keys, boolean weAreInitiator) {
    return weAreInitiator
        ? new IkeMessageProtector(suite, keys.skEi(), keys.skAi(), keys.skEr(), keys.skAr())
        : new IkeMessageProtector(suite, keys.skEr(), keys.skAr(), keys.skEi(), keys.skAi());
  }

  public IkeSuite suite() {
    return suite;
  }

  private boolean aead() {
    return suite.encryption().isAead();
  }

  private int icvLength() {
    return aead() ? GCM_TAG : suite.integrity().icvLength();
  }

  /** Octets SK adds around {@code plainLength} octets of payloads (generic header excluded). */
  int overhead(int plainLength) {
    int iv = suite.encryption().ivLength();
    int cipher = aead() ? plainLength + 1 : ((plainLength + 1 + 15) / 16) * 16;
    return iv + (cipher - plainLength) + icvLength();
  }

  /** One whole SK message. {@code header}'s next payload and length are set here. */
  public byte[] protect(IkeHeader header, List<IkePayload> payloads) {
    byte[] plain = IkePayloadCodec.encode(payloads);
    return seal(header, PayloadType.SK, IkePayloadCodec.firstType(payloads), 0, 0, plain, 0,
        plain.length);
  }

  /**
   * The message as SKF fragments of at most {@code maxMessageLength} octets each (RFC 7383 §2.5),
   * or as one SK message when it fits.
   */
  public List<byte[]> protectFragmented(
      IkeHeader header, List<IkePayload> payloads, int maxMessageLength) {
    byte[] plain = IkePayloadCodec.encode(payloads);
    int whole = IkeHeader.LENGTH + 4 + plain.length + overhead(plain.length);
    if (whole <= maxMessageLength) {
      return List.of(protect(header, payloads));
    }
    // room for payload octets in one fragment, leaving space for the largest padding
    int room = maxMessageLength - IkeHeader.LENGTH - 8 - overhead(0) - 16;
    if (room < 64) {
      throw new IllegalArgumentException("fragment size " + maxMessageLength + " too small");
    }
    int total = (plain.length + room - 1) / room;
    List<byte[]> out = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      int from = i * room;
      int len = Math.min(room, plain.length - from);
      int first = i == 0 ? IkePayloadCodec.firstType(payloads) : PayloadType.NONE;
      out.add(seal(header, PayloadType.SKF, first, i + 1, total, plain, from, len));
    }
    return out;
  }

  private byte[] seal(
      IkeHeader header, int skType, int firstInner, int fragment, int total, byte[] plain,
      int from, int len) {
    int skHeader = skType == PayloadType.SKF ? 8 : 4;
    int ivLength = suite.encryption().ivLength();
    int cipherLength = aead() ? len + 1 : ((len + 1 + 15) / 16) * 16;
    int length = IkeHeader.LENGTH + skHeader + ivLength + cipherLength + icvLength();
    ByteBuffer out = ByteBuffer.allocate(length);
    header.withNextPayload(skType).withLength(length).encode(out);
    out.put((byte) firstInner).put((byte) 0).putShort((short) (length - IkeHeader.LENGTH));
    if (skType == PayloadType.SKF) {
      out.putShort((short) fragment).putShort((short) total);
    }
    int ivAt = out.position();
    byte[] padded = new byte[cipherLength];
    System.arraycopy(plain, from, padded, 0, len);
    padded[cipherLength - 1] = (byte) (cipherLength - len - 1);
    byte[] message = out.array();
    try {
      if (aead()) {
        long counter = gcmCounter.incrementAndGet();
        out.putLong(counter);
        Cipher c = JcaInstances.cipher("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(outKey, "AES"),
            new GCMParameterSpec(128, nonce(outSalt, message, ivAt)));
        c.updateAAD(message, 0, ivAt);
        c.doFinal(padded, 0, cipherLength, message, ivAt + ivLength);
      } else {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        out.put(iv);
        Cipher c = JcaInstances.cipher("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(outKey, "AES"), new IvParameterSpec(iv));
        c.doFinal(padded, 0, cipherLength, message, ivAt + ivLength);
        int icvAt = length - icvLength();
        Mac mac = JcaInstances.mac(suite.integrity().jcaName());
        mac.init(new SecretKeySpec(outIntegrityKey, suite.integrity().jcaName()));
        mac.update(message, 0, icvAt);
        System.arraycopy(mac.doFinal(), 0, message, icvAt, icvLength());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("IKE message encryption failed", e);
    }
    return message;
  }

  private static byte[] nonce(byte[] salt, byte[] message, int ivAt) {
    byte[] n = new byte[12];
    System.arraycopy(salt, 0, n, 0, 4);
    System.arraycopy(message, ivAt, n, 4, 8);
    return n;
  }

  /**
   * Checks and decrypts the SK or SKF payload of {@code message}; returns the inner payload octets
   * (padding removed), to be decoded from {@link EncryptedPayload#firstInnerPayload()}.
   *
   * @throws MessageIntegrityException on a bad ICV/tag or malformed padding: drop silently
   */
  public byte[] open(ReceivedIkeMessage message) throws MessageIntegrityException {
    EncryptedPayload sk = message.encrypted();
    if (sk == null) {
      throw new MessageIntegrityException("message is not encrypted");
    }
    byte[] m = message.bytes();
    int ivLength = suite.encryption().ivLength();
    int icv = icvLength();
    int at = sk.contentOffset();
    int cipherLength = sk.contentLength() - ivLength - icv;
    if (cipherLength < 1 || (!aead() && cipherLength % 16 != 0)) {
      throw new MessageIntegrityException("encrypted payload of impossible length");
    }
    byte[] plain;
    try {
      if (aead()) {
        Cipher c = JcaInstances.cipher("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(inKey, "AES"),
            new GCMParameterSpec(128, nonce(inSalt, m, at)));
        c.updateAAD(m, 0, at);
        plain = c.doFinal(m, at + ivLength, cipherLength + icv);
      } else {
        int icvAt = at + ivLength + cipherLength;
        Mac mac = JcaInstances.mac(suite.integrity().jcaName());
        mac.init(new SecretKeySpec(inIntegrityKey, suite.integrity().jcaName()));
        mac.update(m, 0, icvAt);
        byte[] expected = Arrays.copyOf(mac.doFinal(), icv);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(m, icvAt, icvAt + icv))) {
          throw new MessageIntegrityException("ICV mismatch");
        }
        Cipher c = JcaInstances.cipher("AES/CBC/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(inKey, "AES"),
            new IvParameterSpec(m, at, 16));
        plain = c.doFinal(m, at + ivLength, cipherLength);
      }
    } catch (GeneralSecurityException e) {
      throw new MessageIntegrityException("decryption failed: " + e.getClass().getSimpleName());
    }
    int pad = plain[plain.length - 1] & 0xff;
    if (pad + 1 > plain.length) {
      throw new MessageIntegrityException("pad length exceeds the payload");
    }
    return Arrays.copyOf(plain, plain.length - pad - 1);
  }
}
