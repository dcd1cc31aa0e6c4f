package io.vpngateway.gateway.openvpn.crypto;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * tls-crypt control-channel protection (openvpn {@code tls_crypt.c}, {@code doc/tls-crypt.txt}):
 *
 * <pre>
 * op|kid(1) session-id(8) packet-id(4) time(4) | tag(32) | AES-256-CTR(Ke, IV = tag[0..16), BODY)
 * tag = HMAC-SHA256(Ka, op|kid || session-id || packet-id || time || BODY)
 * </pre>
 *
 * Every control packet, including a client's first, is authenticated before it is parsed, so
 * without the key a packet never reaches TLS. The server sends with key 0 of the static key and
 * receives with key 1. The tag is compared in constant time; packet ids are replay-checked. One
 * instance per session (or per pre-session check); thread-safe.
 */
public final class TlsCrypt {
  public static final int HEADER_LENGTH = 1 + 8 + 4 + 4;
  public static final int TAG_LENGTH = 32;
  public static final int OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

  private final Mac sendMac;
  private final Mac receiveMac;
  private final Cipher sendCipher;
  private final Cipher receiveCipher;
  private final SecretKeySpec sendKey;
  private final SecretKeySpec receiveKey;
  private final ReplayWindow replay = new ReplayWindow();
  private final int epochSeconds = (int) (System.currentTimeMillis() / 1000);
  private long nextPacketId;

  /** @param key the shared tls-crypt key, or a tls-crypt-v2 client key Kc */
  public TlsCrypt(OpenVpnStaticKey key) {
    this(key, 1);
  }

  /**
   * @param firstSendPacketId the packet id of the first packet sent; a session born from a
   *     stateless handshake cookie starts above the id its stateless reset used, which the
   *     client has already seen
   */
  public TlsCrypt(OpenVpnStaticKey key, long firstSendPacketId) {
    this.nextPacketId = firstSendPacketId;
    try {
      sendKey = new SecretKeySpec(key.slice(0, 32), "AES");
      sendMac = Mac.getInstance("HmacSHA256");
      sendMac.init(new SecretKeySpec(key.slice(64, 32), "HmacSHA256"));
      receiveKey = new SecretKeySpec(key.slice(128, 32), "AES");
      receiveMac = Mac.getInstance("HmacSHA256");
      receiveMac.init(new SecretKeySpec(key.slice(192, 32), "HmacSHA256"));
      sendCipher = Cipher.getInstance("AES/CTR/NoPadding");
      receiveCipher = Cipher.getInstance("AES/CTR/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES-CTR or HMAC-SHA256", e);
    }
  }

  /** Wraps a control packet into its tls-crypt wire form. */
  public synchronized byte[] wrap(OpenVpnControlPacket p) {
    ByteBuffer body = ByteBuffer.allocate(p.bodyLength());
    p.encodeBody(body);
    byte[] plain = body.array();
    ByteBuffer out = ByteBuffer.allocate(OVERHEAD + plain.length);
    out.put(p.opcode().headerByte(p.keyId())).putLong(p.sessionId())
        .putInt((int) nextPacketId++).putInt(epochSeconds);
    try {
      sendMac.update(out.array(), 0, HEADER_LENGTH);
      sendMac.update(plain);
      byte[] tag = sendMac.doFinal();
      out.put(tag);
      sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, new IvParameterSpec(tag, 0, 16));
      out.put(sendCipher.doFinal(plain));
      return out.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("tls-crypt wrap failed", e);
    }
  }

  /**
   * Authenticates and decrypts one packet (position to limit; position is advanced to limit).
   *
   * @throws PacketAuthenticationException on a bad tag or a replayed packet id
   */
  public synchronized OpenVpnControlPacket unwrap(ByteBuffer in)
      throws PacketAuthenticationException, MalformedPacketException {
    return open(in, true);
  }

  /**
   * Authenticates and decrypts a client's first packet without touching the replay window, so
   * one context can check the resets of many clients (each starts at packet id 1) before any
   * per-client state exists. The session that follows uses its own context.
   */
  public synchronized OpenVpnControlPacket unwrapFirstPacket(ByteBuffer in)
      throws PacketAuthenticationException, MalformedPacketException {
    return open(in, false);
  }

  private OpenVpnControlPacket open(ByteBuffer in, boolean replayChecked)
      throws PacketAuthenticationException, MalformedPacketException {
    if (in.remaining() < OVERHEAD + 1) {
      throw new MalformedPacketException("tls-crypt packet too short: " + in.remaining());
    }
    byte[] header = new byte[HEADER_LENGTH];
    byte[] tag = new byte[TAG_LENGTH];
    in.get(header).get(tag);
    byte[] enc = new byte[in.remaining()];
    in.get(enc);
    ByteBuffer h = ByteBuffer.wrap(header);
    int first = h.get() & 0xff;
    long sid = h.getLong();
    long pid = h.getInt() & 0xffffffffL;
    byte[] plain;
    try {
      receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, new IvParameterSpec(tag, 0, 16));
      plain = receiveCipher.doFinal(enc);
      receiveMac.update(header);
      receiveMac.update(plain);
      if (!MessageDigest.isEqual(tag, receiveMac.doFinal())) {
        throw new PacketAuthenticationException("tls-crypt tag mismatch");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("tls-crypt unwrap failed", e);
    }
    if (replayChecked && !replay.check(pid)) {
      throw PacketAuthenticationException.replay("tls-crypt packet id replayed");
    }
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(first);
    if (op == null || op.isData()) {
      throw new MalformedPacketException("not a control opcode: " + (first >>> 3));
    }
    OpenVpnControlPacket p = OpenVpnControlPacket.decodeBody(
        op, OpenVpnOpcode.keyIdOf(first), sid, ByteBuffer.wrap(plain));
    if (replayChecked) {
      replay.accept(pid);
    }
    return p;
  }
}
