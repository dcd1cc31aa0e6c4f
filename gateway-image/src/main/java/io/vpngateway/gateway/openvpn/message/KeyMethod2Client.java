package io.vpngateway.gateway.openvpn.message;

import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client's key-method-2 message, the first plaintext it writes into TLS once the handshake is
 * done (openvpn {@code ssl.c: key_method_2_write/read}, MirageVPN write-up "Key exchange"):
 *
 * <pre>
 * uint32 0 | uint8 key-method (2) | pre-master(48) | random1(32) | random2(32)
 * | string options | string username | string password | string peer-info
 * </pre>
 *
 * A string is a uint16 length (including the trailing NUL) then the bytes; length 0 is an empty
 * string. Username, password and peer-info may be missing in very old clients.
 */
public record KeyMethod2Client(
    byte[] preMaster,
    byte[] random1,
    byte[] random2,
    String options,
    String username,
    String password,
    PeerInfo peerInfo) {
  public static final int PRE_MASTER_LENGTH = 48;
  public static final int RANDOM_LENGTH = 32;
  /** openvpn's TLS_OPTIONS_LEN and USER_PASS_LEN bound the strings; peer-info is free-form. */
  static final int MAX_STRING = 8192;

  public KeyMethod2Client {
    preMaster = preMaster.clone();
    random1 = random1.clone();
    random2 = random2.clone();
  }

  /**
   * Parses a complete message. Returns null when {@code in} does not yet hold all of it (the
   * caller waits for more TLS plaintext); throws when the bytes can never be a valid message.
   */
  public static KeyMethod2Client decode(ByteBuffer in) throws MalformedPacketException {
    ByteBuffer b = in.duplicate();
    // the control thread asks after every control packet once TLS is done, usually before the
    // message is there: an incomplete message is answered by these checks, not by a
    // BufferUnderflowException (its stack trace cost more than the whole parse, per connect)
    if (b.remaining() < 4) {
      return null;
    }
    try {
      if (b.getInt() != 0) {
        throw new MalformedPacketException("key method message must start with uint32 0");
      }
      if (!b.hasRemaining()) {
        return null;
      }
      int method = b.get() & 0x0f;
      if (method != 2) {
        throw new MalformedPacketException("unsupported key method " + method);
      }
      if (b.remaining() < PRE_MASTER_LENGTH + 2 * RANDOM_LENGTH) {
        return null;
      }
      byte[] pre = new byte[PRE_MASTER_LENGTH];
      byte[] r1 = new byte[RANDOM_LENGTH];
      byte[] r2 = new byte[RANDOM_LENGTH];
      b.get(pre).get(r1).get(r2);
      String options = readString(b);
      if (options == null) {
        return null;
      }
      String user = b.hasRemaining() ? readString(b) : "";
      String pass = b.hasRemaining() ? readString(b) : "";
      String info = b.hasRemaining() ? readString(b) : "";
      if (user == null || pass == null || info == null) {
        return null;
      }
      in.position(b.position());
      return new KeyMethod2Client(pre, r1, r2, options, user, pass, PeerInfo.parse(info));
    } catch (BufferUnderflowException e) {
      return null;
    }
  }

  /** Reads one string; null when incomplete. */
  static String readString(ByteBuffer b) throws MalformedPacketException {
    if (b.remaining() < 2) {
      return null;
    }
    int len = b.getShort() & 0xffff;
    if (len > MAX_STRING) {
      throw new MalformedPacketException("string too long: " + len);
    }
    if (b.remaining() < len) {
      return null;
    }
    byte[] s = new byte[len];
    b.get(s);
    int end = len;
    while (end > 0 && s[end - 1] == 0) {
      end--;
    }
    return new String(s, 0, end, StandardCharsets.UTF_8);
  }

  static void writeString(ByteBuffer out, String s) {
    if (s.isEmpty()) {
      out.putShort((short) 0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) (b.length + 1)).put(b).put((byte) 0);
  }

  /** The encoded form, as a client would send it (used by tests and the benchmark). */
  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(
        5 + 112 + 12 + options.length() * 4 + username.length() * 4 + password.length() * 4
            + peerInfo.text().length() * 4);
    out.putInt(0).put((byte) 2).put(preMaster).put(random1).put(random2);
    writeString(out, options);
    writeString(out, username);
    writeString(out, password);
    writeString(out, peerInfo.text());
    return Arrays.copyOf(out.array(), out.position());
  }

  @Override
  public byte[] preMaster() {
    return preMaster.clone();
  }

  @Override
  public byte[] random1() {
    return random1.clone();
  }

  @Override
  public byte[] random2() {
    return random2.clone();
  }

  @Override
  public String toString() {
    return "KeyMethod2Client[options=" + options + ", user=" + (username.isEmpty() ? "-" : "set")
        + ", " + peerInfo + "]";
  }
}
