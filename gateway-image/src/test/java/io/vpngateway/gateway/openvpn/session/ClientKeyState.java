package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKeyMaterial;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.Tls1Prf;
import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.openvpn.exception.OpenVpnException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;

/**
 * Test and bench side: the CLIENT's half of one OpenVPN key state, for the load generator. It
 * reuses the gateway's own {@link ReliableLayer} (the reliability layer is symmetric) and {@link
 * TlsControlChannel} (it pumps any {@link SSLEngine}, here one in client mode), and adds what only
 * a client does (openvpn {@code ssl.c}): start TLS once the server's reset arrived, write the
 * key-method-2 message with a pre-master secret, read the server's reply, and derive the data keys
 * from the client's side of the TLS exporter (tls-ekm) or of the key-method-2 PRF.
 *
 * <pre>
 *  RESET_SENT ──server reset──▶ TLS_HANDSHAKE ──TLS done: key method sent──▶ KEY_EXCHANGE
 *                                                   ──server key method──▶ ACTIVE (control messages)
 * </pre>
 *
 * Not thread-safe: driven by one event-loop thread.
 */
public final class ClientKeyState {
  /** Where this key state is. */
  public enum State {
    RESET_SENT,
    TLS_HANDSHAKE,
    KEY_EXCHANGE,
    ACTIVE
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final int keyId;
  private final ReliableLayer reliable = new ReliableLayer();
  private final TlsControlChannel tls;
  private final long createdNanos = System.nanoTime();
  private State state = State.RESET_SENT;
  private ByteBuffer plaintext = ByteBuffer.allocate(1024);
  private byte[] preMaster;
  private byte[] clientRandom1;
  private byte[] clientRandom2;
  private byte[] serverRandom1;
  private byte[] serverRandom2;
  private String username = "";
  private String password = "";

  /**
   * A key state whose reset ({@code resetOpcode}: the V3 hard reset of a new session, or a soft
   * reset for a renegotiation) is queued as its message 0.
   */
  public ClientKeyState(int keyId, SSLEngine clientEngine, OpenVpnOpcode resetOpcode)
      throws HandshakeException {
    this.keyId = keyId;
    this.tls = new TlsControlChannel(clientEngine);
    reliable.enqueue(resetOpcode, new byte[0]);
  }

  /** Sends {@code user} and {@code pass} in key-method 2, as {@code auth-user-pass} does. */
  public ClientKeyState withPassword(String user, String pass) {
    this.username = user == null ? "" : user;
    this.password = pass == null ? "" : pass;
    return this;
  }

  public int keyId() {
    return keyId;
  }

  public State state() {
    return state;
  }

  public long createdNanos() {
    return createdNanos;
  }

  /**
   * Takes in one authenticated control packet of this key id: acks, in-order delivery, TLS. When
   * the TLS handshake completes, the key-method-2 message built from {@code peerInfo} and {@code
   * options} is written at once.
   */
  public void receive(OpenVpnControlPacket p, String options, String peerInfo)
      throws OpenVpnException {
    for (OpenVpnControlPacket d : reliable.receive(p)) {
      if (d.opcode() == OpenVpnOpcode.P_CONTROL_V1) {
        tls.receive(d.payload());
        append(tls.takePlaintext());
      } else if (d.messageId() == 0 && state == State.RESET_SENT) {
        // the server's reset (hard or soft): the client speaks first in TLS
        state = State.TLS_HANDSHAKE;
        tls.receive(new byte[0]);
      }
    }
    if (state == State.TLS_HANDSHAKE && tls.handshakeComplete()) {
      state = State.KEY_EXCHANGE;
      preMaster = random(KeyMethod2Client.PRE_MASTER_LENGTH);
      clientRandom1 = random(KeyMethod2Client.RANDOM_LENGTH);
      clientRandom2 = random(KeyMethod2Client.RANDOM_LENGTH);
      tls.send(
          new KeyMethod2Client(
                  preMaster,
                  clientRandom1,
                  clientRandom2,
                  options,
                  username,
                  password,
                  PeerInfo.parse(peerInfo))
              .encode());
    }
    if (state == State.KEY_EXCHANGE && takeServerKeyMethod()) {
      state = State.ACTIVE;
    }
  }

  /** Sends a NUL-terminated control message (PUSH_REQUEST, EXIT) once ACTIVE. */
  public void sendControlMessage(String message) throws HandshakeException {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] withNul = new byte[text.length + 1];
    System.arraycopy(text, 0, withNul, 0, text.length);
    tls.send(withNul);
  }

  /** Complete control messages received so far (ACTIVE only). */
  public List<String> takeControlMessages() {
    List<String> out = new ArrayList<>();
    if (state != State.ACTIVE) {
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
    return out;
  }

  /** The packets to send now: new messages (TLS output included), retransmissions, acks. */
  public List<OpenVpnControlPacket> poll(long now, long localSessionId, long remoteSessionId) {
    queueTlsOutput();
    return reliable.poll(now, keyId, localSessionId, remoteSessionId);
  }

  /** True when nothing we sent waits for an ack (no retransmission timer needed). */
  public boolean allAcked() {
    return reliable.allAcked();
  }

  /**
   * The client's data key of this key state: the same 256 bytes the server derives, seen from the
   * other end (the halves of openvpn's key2 swapped).
   *
   * @param tlsEkm from the TLS exporter (the server pushed {@code protocol-flags tls-ekm}), else
   *     from the key-method-2 PRF
   */
  public DataChannelKey dataKey(
      DataCipherSuite suite, int peerId, boolean tlsEkm, long clientSessionId,
      long serverSessionId) throws HandshakeException {
    byte[] serverView;
    if (tlsEkm) {
      Optional<byte[]> exported = TlsKeyExporter.export(tls.session(),
          TlsKeyExporter.OPENVPN_LABEL, DataChannelKeyMaterial.LENGTH);
      serverView = exported.orElseThrow(() -> new HandshakeException("no TLS exporter here"));
    } else {
      byte[] master = Tls1Prf.prf(preMaster, concat(
          "OpenVPN master secret".getBytes(StandardCharsets.US_ASCII), clientRandom1,
          serverRandom1), 48);
      byte[] sids = ByteBuffer.allocate(16).putLong(clientSessionId).putLong(serverSessionId)
          .array();
      serverView = Tls1Prf.prf(master, concat(
          "OpenVPN key expansion".getBytes(StandardCharsets.US_ASCII), clientRandom2,
          serverRandom2, sids), DataChannelKeyMaterial.LENGTH);
    }
    byte[] clientView = new byte[serverView.length];
    System.arraycopy(serverView, 128, clientView, 0, 128);
    System.arraycopy(serverView, 0, clientView, 128, 128);
    try {
      return DataChannelKey.create(
          suite, DataChannelKeyMaterial.fromExporter(clientView), keyId, peerId);
    } catch (GeneralSecurityException e) {
      throw new HandshakeException("cannot build the data cipher " + suite.openVpnName(), e);
    }
  }

  /** Where this key state stands, for a timed-out handshake's report. */
  public String describe() {
    return state + " tls=" + tls.session().getProtocol() + " done=" + tls.handshakeComplete()
        + " allAcked=" + reliable.allAcked() + " plaintext=" + plaintext.position();
  }

  /** Lets the TLS engine go (the key state is retired). */
  public void close() {
    tls.close();
  }

  private void queueTlsOutput() {
    byte[] out = tls.takeCiphertext();
    for (int off = 0; off < out.length; off += KeyState.MAX_TLS_SLICE) {
      int n = Math.min(KeyState.MAX_TLS_SLICE, out.length - off);
      byte[] slice = new byte[n];
      System.arraycopy(out, off, slice, 0, n);
      reliable.enqueue(OpenVpnOpcode.P_CONTROL_V1, slice);
    }
  }

  private void append(byte[] plain) {
    if (plain.length == 0) {
      return;
    }
    if (plaintext.remaining() < plain.length) {
      ByteBuffer bigger = ByteBuffer.allocate(plaintext.position() + plain.length + 1024);
      plaintext.flip();
      bigger.put(plaintext);
      plaintext = bigger;
    }
    plaintext.put(plain);
  }

  /**
   * The server's key-method-2 reply ({@link
   * io.vpngateway.gateway.openvpn.message.KeyMethod2Server}): uint32 0, key method, two randoms,
   * four strings. True once it was read whole.
   */
  private boolean takeServerKeyMethod() {
    plaintext.flip();
    try {
      ByteBuffer b = plaintext.duplicate();
      if (b.remaining() < 5 + 64) {
        return false;
      }
      b.getInt();
      b.get();
      serverRandom1 = new byte[32];
      serverRandom2 = new byte[32];
      b.get(serverRandom1).get(serverRandom2);
      for (int i = 0; i < 4; i++) {
        if (b.remaining() < 2) {
          return false;
        }
        int len = b.getShort() & 0xffff;
        if (b.remaining() < len) {
          return false;
        }
        b.position(b.position() + len);
      }
      plaintext.position(b.position());
      return true;
    } finally {
      plaintext.compact();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
