package io.vpngateway.gateway.openvpn.message;

import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One control-channel packet (every opcode except P_DATA_*), immutable.
 *
 * <pre>
 * plain:     op|kid(1) session-id(8) BODY
 * tls-crypt: op|kid(1) session-id(8) packet-id(4) time(4) tag(32) AES-CTR(BODY)
 * BODY:      ack-count(1) ack-ids(4 each) [remote-session-id(8) if ack-count &gt; 0]
 *            [message-id(4) unless P_ACK_V1] payload
 * </pre>
 *
 * The hard and soft resets are the message with id 0 of their key state's reliable stream; the
 * payload of P_CONTROL_V1 is a slice of the TLS byte stream. See openvpn {@code ssl_pkt.c} and
 * the MirageVPN protocol write-up, "Control channel".
 *
 * @param remoteSessionId the receiver's session id, echoed when acks are present (else 0)
 * @param messageId the reliable id (uint32), or -1 for P_ACK_V1
 */
public record OpenVpnControlPacket(
    OpenVpnOpcode opcode,
    int keyId,
    long sessionId,
    long[] acks,
    long remoteSessionId,
    long messageId,
    byte[] payload) {

  /** openvpn's RELIABLE_ACK_SIZE: the most acks one packet may carry. */
  public static final int MAX_ACKS = 8;
  /** Bytes before BODY in the plain form. */
  public static final int PLAIN_HEADER_LENGTH = 9;
  /** Largest payload accepted; openvpn's control packets stay well below (tls-mtu 1250). */
  public static final int MAX_PAYLOAD = 2048;

  public OpenVpnControlPacket {
    if (opcode.isData()) {
      throw new IllegalArgumentException("data opcode in a control packet");
    }
    acks = acks.clone();
    payload = payload.clone();
  }

  public static OpenVpnControlPacket ack(int keyId, long sessionId, long[] acks, long remote) {
    return new OpenVpnControlPacket(
        OpenVpnOpcode.P_ACK_V1, keyId, sessionId, acks, remote, -1, new byte[0]);
  }

  /** Length of BODY. */
  public int bodyLength() {
    return 1 + acks.length * 4 + (acks.length > 0 ? 8 : 0)
        + (opcode.hasMessageId() ? 4 : 0) + payload.length;
  }

  public void encodeBody(ByteBuffer out) {
    out.put((byte) acks.length);
    for (long a : acks) {
      out.putInt((int) a);
    }
    if (acks.length > 0) {
      out.putLong(remoteSessionId);
    }
    if (opcode.hasMessageId()) {
      out.putInt((int) messageId);
    }
    out.put(payload);
  }

  /** The plain wire form (no tls-crypt). */
  public byte[] encodePlain() {
    ByteBuffer out = ByteBuffer.allocate(PLAIN_HEADER_LENGTH + bodyLength());
    out.put(opcode.headerByte(keyId)).putLong(sessionId);
    encodeBody(out);
    return out.array();
  }

  /** Decodes the plain wire form from position to limit. */
  public static OpenVpnControlPacket decodePlain(ByteBuffer in) throws MalformedPacketException {
    if (in.remaining() < PLAIN_HEADER_LENGTH + 1) {
      throw new MalformedPacketException("control packet too short: " + in.remaining());
    }
    int first = in.get() & 0xff;
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(first);
    if (op == null || op.isData()) {
      throw new MalformedPacketException("not a control opcode: " + (first >>> 3));
    }
    long sid = in.getLong();
    return decodeBody(op, OpenVpnOpcode.keyIdOf(first), sid, in);
  }

  /** Decodes BODY (position to limit) of a packet whose header was already read. */
  public static OpenVpnControlPacket decodeBody(
      OpenVpnOpcode op, int keyId, long sessionId, ByteBuffer in)
      throws MalformedPacketException {
    try {
      int n = in.get() & 0xff;
      if (n > MAX_ACKS) {
        throw new MalformedPacketException("too many acks: " + n);
      }
      if (op == OpenVpnOpcode.P_ACK_V1 && n == 0) {
        throw new MalformedPacketException("P_ACK_V1 without acks");
      }
      long[] acks = new long[n];
      for (int i = 0; i < n; i++) {
        acks[i] = in.getInt() & 0xffffffffL;
      }
      long remote = n > 0 ? in.getLong() : 0;
      long msgId = op.hasMessageId() ? in.getInt() & 0xffffffffL : -1;
      if (!op.hasMessageId() && in.hasRemaining()) {
        throw new MalformedPacketException("trailing bytes after P_ACK_V1");
      }
      if (in.remaining() > MAX_PAYLOAD) {
        throw new MalformedPacketException("control payload too long: " + in.remaining());
      }
      byte[] payload = new byte[in.remaining()];
      in.get(payload);
      return new OpenVpnControlPacket(op, keyId, sessionId, acks, remote, msgId, payload);
    } catch (BufferUnderflowException e) {
      throw new MalformedPacketException("control packet truncated");
    }
  }

  @Override
  public long[] acks() {
    return acks.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload length without copying. */
  public int payloadLength() {
    return payload.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpenVpnControlPacket p
        && p.opcode == opcode
        && p.keyId == keyId
        && p.sessionId == sessionId
        && Arrays.equals(p.acks, acks)
        && p.remoteSessionId == remoteSessionId
        && p.messageId == messageId
        && Arrays.equals(p.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(sessionId) * 31 + (int) messageId;
  }

  @Override
  public String toString() {
    return opcode + "[kid=" + keyId + ", mid=" + messageId + ", acks=" + Arrays.toString(acks)
        + ", " + payload.length + " B]";
  }
}
