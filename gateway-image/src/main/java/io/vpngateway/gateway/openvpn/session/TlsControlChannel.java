package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The TLS session of one key state, driven over the reliable control stream. OpenVPN treats the
 * concatenated P_CONTROL_V1 payloads as a byte stream carrying TLS records (record boundaries need
 * not match packets), so this class buffers ciphertext both ways and pumps a server-mode
 * {@link SSLEngine}; delegated tasks run inline on the control thread. A fresh engine is used for
 * each key state, as openvpn does for every renegotiation.
 */
final class TlsControlChannel {
  private final SSLEngine engine;
  private ByteBuffer netIn;
  private ByteBuffer appIn;
  private ByteBuffer netOut;
  private final ByteArrayOutputStream cipherOut = new ByteArrayOutputStream();
  private final ByteArrayOutputStream plainIn = new ByteArrayOutputStream();
  private boolean handshakeDone;

  TlsControlChannel(SSLEngine engine) throws HandshakeException {
    this.engine = engine;
    SSLSession s = engine.getSession();
    netIn = ByteBuffer.allocate(s.getPacketBufferSize());
    appIn = ByteBuffer.allocate(s.getApplicationBufferSize());
    netOut = ByteBuffer.allocate(s.getPacketBufferSize());
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      throw new HandshakeException("TLS engine refused to start: " + e.getMessage(), e);
    }
  }

  /** Feeds TLS ciphertext received from the peer and processes as much as possible. */
  void receive(byte[] ciphertext) throws HandshakeException {
    if (netIn.remaining() < ciphertext.length) {
      ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + ciphertext.length + 4096);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    netIn.put(ciphertext);
    pump();
  }

  /** Queues application plaintext (a control message) for the peer. */
  void send(byte[] plaintext) throws HandshakeException {
    ByteBuffer src = ByteBuffer.wrap(plaintext);
    try {
      while (src.hasRemaining()) {
        runDelegatedTasks();
        wrap(src);
      }
    } catch (SSLException e) {
      throw new HandshakeException("TLS wrap failed: " + e.getMessage(), e);
    }
  }

  private void pump() throws HandshakeException {
    try {
      while (true) {
        SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
          runDelegatedTasks();
        } else if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
          wrap(ByteBuffer.allocate(0));
        } else if (!unwrapOnce()) {
          break;
        }
      }
    } catch (SSLException e) {
      flushCloseNotify();
      throw new HandshakeException("TLS handshake failed: " + e.getMessage(), e);
    }
  }

  /** One unwrap; false when more ciphertext is needed. */
  private boolean unwrapOnce() throws SSLException {
    netIn.flip();
    SSLEngineResult r;
    try {
      r = engine.unwrap(netIn, appIn);
    } finally {
      netIn.compact();
    }
    switch (r.getStatus()) {
      case BUFFER_UNDERFLOW:
        if (netIn.capacity() < engine.getSession().getPacketBufferSize()) {
          ByteBuffer bigger = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
          netIn.flip();
          bigger.put(netIn);
          netIn = bigger;
        }
        return false;
      case BUFFER_OVERFLOW:
        ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
        appIn.flip();
        bigger.put(appIn);
        appIn = bigger;
        return true;
      case CLOSED:
        // the peer sent close_notify: this key state cannot carry anything any more
        throw new SSLException("TLS session closed by the peer");
      default:
        break;
    }
    noteFinished(r);
    if (appIn.position() > 0) {
      appIn.flip();
      byte[] b = new byte[appIn.remaining()];
      appIn.get(b);
      plainIn.write(b, 0, b.length);
      appIn.clear();
    }
    return r.bytesConsumed() > 0 || r.bytesProduced() > 0
        || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK
        || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
  }

  /**
   * Wraps what the engine will take from {@code src}. A closed outbound side (the peer's
   * close_notify under TLS 1.2 closes both directions) or a wrap that makes no progress would
   * make the callers' loops spin on the shared control thread, so both are errors.
   */
  private void wrap(ByteBuffer src) throws SSLException {
    SSLEngineResult r = wrapOnce(src);
    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new SSLException("TLS session closed");
    }
    if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
        && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK) {
      throw new SSLException("TLS engine made no progress (" + r.getHandshakeStatus() + ")");
    }
  }

  private SSLEngineResult wrapOnce(ByteBuffer src) throws SSLException {
    while (true) {
      netOut.clear();
      SSLEngineResult r = engine.wrap(src, netOut);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        netOut = ByteBuffer.allocate(netOut.capacity() * 2);
        continue;
      }
      netOut.flip();
      cipherOut.write(netOut.array(), 0, netOut.limit());
      noteFinished(r);
      return r;
    }
  }

  private void runDelegatedTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  private void noteFinished(SSLEngineResult r) {
    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
      handshakeDone = true;
    }
  }

  private void flushCloseNotify() {
    try {
      engine.closeOutbound();
      wrapOnce(ByteBuffer.allocate(0));
    } catch (SSLException ignored) {
      // the alert is a courtesy; the key state is dropped either way
    }
  }

  /**
   * True once the TLS handshake has completed (client certificate verified by the engine). The
   * engine reports FINISHED in the result of the call that completed the handshake, but a
   * handshake that completes inside a delegated task (a server verifying the client's last
   * flight) has no such result: with TLS 1.3 session tickets off (the launcher's
   * {@code jdk.tls.server.newSessionTicketCount=0}), no NewSessionTicket wrap follows to carry
   * it either. So an engine that is no longer handshaking on a negotiated session is done too.
   */
  boolean handshakeComplete() {
    if (!handshakeDone
        && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        && !"NONE".equals(engine.getSession().getProtocol())) {
      handshakeDone = true;
    }
    return handshakeDone;
  }

  /** Takes the ciphertext produced so far. */
  byte[] takeCiphertext() {
    byte[] b = cipherOut.toByteArray();
    cipherOut.reset();
    return b;
  }

  /** Takes the application plaintext received so far. */
  byte[] takePlaintext() {
    byte[] b = plainIn.toByteArray();
    plainIn.reset();
    return b;
  }

  SSLSession session() {
    return engine.getSession();
  }

  void close() {
    engine.closeOutbound();
  }
}
