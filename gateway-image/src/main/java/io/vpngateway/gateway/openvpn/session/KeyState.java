package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One key state (key id 0-7): its reliable stream, its TLS session and its key exchange. Key id 0
 * is born from the hard reset, the others from a soft reset (renegotiation), started by either
 * side (openvpn {@code ssl.c: key_state_init}, "key_id").
 *
 * <pre>
 *  TLS_HANDSHAKE ──TLS done──▶ AWAIT_KEY_METHOD ──client key-method 2──▶ ACTIVE
 *        │                           │                                     │
 *        └──── TLS error / handshake window (60 s) elapsed ──▶ FAILED ◀────┘ (superseded)
 * </pre>
 *
 * In ACTIVE, the TLS channel carries NUL-terminated control messages (PUSH_REQUEST, EXIT, ...).
 */
final class KeyState {
  enum State { TLS_HANDSHAKE, AWAIT_KEY_METHOD, ACTIVE, FAILED }

  /** Largest TLS slice per P_CONTROL_V1, keeping packets well under a 1500-byte path. */
  static final int MAX_TLS_SLICE = 1100;

  final int keyId;
  final ReliableLayer reliable = new ReliableLayer();
  final TlsControlChannel tls;
  final long deadlineNanos;
  State state = State.TLS_HANDSHAKE;
  KeyMethod2Client clientKeyMethod;
  byte[] serverRandom1;
  byte[] serverRandom2;
  DataChannelKey dataKey;
  /**
   * tls-ekm material exported when the admission asked whether export works, until the data key
   * is derived from it ({@link DataKeyDerivation}); null otherwise.
   */
  byte[] exportedKeyMaterial;
  /** Control-channel plaintext not yet taken; null when there is none (most of a session's life). */
  private ByteBuffer plaintext;

  KeyState(int keyId, TlsControlChannel tls, long deadlineNanos) {
    this.keyId = keyId;
    this.tls = tls;
    this.deadlineNanos = deadlineNanos;
  }

  /** Feeds one in-order control message's TLS bytes to the engine. */
  void onTlsRecord(OpenVpnControlPacket p) throws HandshakeException {
    tls.receive(p.payload());
    if (state == State.TLS_HANDSHAKE && tls.handshakeComplete()) {
      state = State.AWAIT_KEY_METHOD;
    }
    byte[] plain = tls.takePlaintext();
    if (plain.length > 0) {
      if (plaintext == null) {
        plaintext = ByteBuffer.allocate(Math.max(plain.length, 1024));
      }
      if (plaintext.remaining() < plain.length) {
        if (plaintext.position() + plain.length > 65536) {
          throw new HandshakeException("control channel plaintext backlog over 64 KiB");
        }
        ByteBuffer bigger = ByteBuffer.allocate(plaintext.position() + plain.length + 4096);
        plaintext.flip();
        bigger.put(plaintext);
        plaintext = bigger;
      }
      plaintext.put(plain);
    }
  }

  /** The client's key-method message once complete, else null. */
  KeyMethod2Client takeKeyMethod() throws MalformedPacketException {
    if (plaintext == null) {
      plaintext = ByteBuffer.allocate(0);
    }
    plaintext.flip();
    try {
      return KeyMethod2Client.decode(plaintext);
    } finally {
      plaintext.compact();
      releaseIfEmpty();
    }
  }

  private void releaseIfEmpty() {
    if (plaintext != null && plaintext.position() == 0) {
      plaintext = null;
    }
  }

  /** Complete NUL-terminated control messages received so far. */
  List<String> takeControlMessages() {
    List<String> out = new ArrayList<>();
    if (plaintext == null) {
      return out;
    }
    plaintext.flip();
    int start = plaintext.position();
    for (int i = start; i < plaintext.limit(); i++) {
      if (plaintext.get(i) == 0) {
        byte[] b = new byte[i - start];
        plaintext.get(start, b);
        out.add(new String(b, StandardCharsets.UTF_8).trim());
        start = i + 1;
      }
    }
    plaintext.position(start);
    plaintext.compact();
    releaseIfEmpty();
    return out;
  }

  /** Sends a NUL-terminated control message through TLS. */
  void sendControlMessage(String message) throws HandshakeException {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] withNul = new byte[text.length + 1];
    System.arraycopy(text, 0, withNul, 0, text.length);
    tls.send(withNul);
  }

  /** Moves TLS ciphertext produced so far into the reliable send queue. */
  void queueTlsOutput() {
    byte[] out = tls.takeCiphertext();
    for (int off = 0; off < out.length; off += MAX_TLS_SLICE) {
      int n = Math.min(MAX_TLS_SLICE, out.length - off);
      byte[] slice = new byte[n];
      System.arraycopy(out, off, slice, 0, n);
      reliable.enqueue(OpenVpnOpcode.P_CONTROL_V1, slice);
    }
  }
}
