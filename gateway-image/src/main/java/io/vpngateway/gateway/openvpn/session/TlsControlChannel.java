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
 *
 * <p>Memory: an established session keeps its engine for the rest of its life (control messages
 * and the client's EXIT travel over it) but sends a few hundred bytes a minute through it. So the
 * engine's three working buffers (a TLS packet buffer each way and an application buffer, about
 * 16.7 KiB each) are per thread ({@link Scratch}, borrowed for one call), and between calls a
 * channel keeps only the ciphertext of a record not yet complete. Per-channel buffers were 50 KiB
 * of every idle session's heap (the scale bench's class histogram, BENCHMARKS.md).
 */
final class TlsControlChannel {
  private final SSLEngine engine;
  /** Ciphertext of an incomplete record carried to the next {@link #receive}, or null. */
  private byte[] pendingIn;
  /** The borrowed working buffers, only during a call; null between calls. */
  private ByteBuffer netIn;
  private ByteBuffer appIn;
  private ByteBuffer netOut;
  private ByteArrayOutputStream cipherOut;
  private ByteArrayOutputStream plainIn;
  private boolean handshakeDone;

  /**
   * The working buffers of the channels pumped on one thread (the server's control thread): only
   * one channel uses them at a time, for one call. They grow as an engine asks, never shrink.
   */
  private static final class Scratch {
    ByteBuffer netIn = ByteBuffer.allocate(0);
    ByteBuffer appIn = ByteBuffer.allocate(0);
    ByteBuffer netOut = ByteBuffer.allocate(0);
    boolean inUse;
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  TlsControlChannel(SSLEngine engine) throws HandshakeException {
    this.engine = engine;
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      throw new HandshakeException("TLS engine refused to start: " + e.getMessage(), e);
    }
  }

  /** Feeds TLS ciphertext received from the peer and processes as much as possible. */
  void receive(byte[] ciphertext) throws HandshakeException {
    int pending = pendingIn == null ? 0 : pendingIn.length;
    Scratch scratch = borrow(pending + ciphertext.length);
    try {
      if (pendingIn != null) {
        netIn.put(pendingIn);
        pendingIn = null;
      }
      netIn.put(ciphertext);
      pump();
    } finally {
      if (netIn.position() > 0) {
        pendingIn = new byte[netIn.position()];
        netIn.get(0, pendingIn);
      }
      giveBack(scratch);
    }
  }

  /** Queues application plaintext (a control message) for the peer. */
  void send(byte[] plaintext) throws HandshakeException {
    ByteBuffer src = ByteBuffer.wrap(plaintext);
    Scratch scratch = borrow(0);
    try {
      while (src.hasRemaining()) {
        runDelegatedTasks();
        wrap(src);
      }
    } catch (SSLException e) {
      throw new HandshakeException("TLS wrap failed: " + e.getMessage(), e);
    } finally {
      giveBack(scratch);
    }
  }

  /**
   * Takes this thread's working buffers for one call, cleared and at least as large as the
   * engine's session asks ({@code netInBytes} more for the inbound ciphertext). A nested call on
   * the same thread (an engine callback pumping another channel) gets buffers of its own.
   */
  private Scratch borrow(int netInBytes) {
    Scratch scratch = SCRATCH.get();
    if (scratch.inUse) {
      scratch = new Scratch();
    }
    scratch.inUse = true;
    SSLSession s = engine.getSession();
    int packet = s.getPacketBufferSize();
    netIn = atLeast(scratch.netIn, Math.max(packet, netInBytes));
    appIn = atLeast(scratch.appIn, s.getApplicationBufferSize());
    netOut = atLeast(scratch.netOut, packet);
    return scratch;
  }

  private static ByteBuffer atLeast(ByteBuffer b, int capacity) {
    return b.capacity() >= capacity ? b.clear() : ByteBuffer.allocate(capacity);
  }

  /** Returns the working buffers (grown ones replace the thread's) and forgets them. */
  private void giveBack(Scratch scratch) {
    scratch.netIn = netIn;
    scratch.appIn = appIn;
    scratch.netOut = netOut;
    scratch.inUse = false;
    netIn = null;
    appIn = null;
    netOut = null;
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
      if (plainIn == null) {
        plainIn = new ByteArrayOutputStream(appIn.remaining());
      }
      plainIn.write(appIn.array(), 0, appIn.remaining());
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
      if (cipherOut == null) {
        cipherOut = new ByteArrayOutputStream(netOut.limit());
      }
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

  /** Takes the ciphertext produced so far (the stream is dropped: it grew to a handshake flight). */
  byte[] takeCiphertext() {
    if (cipherOut == null) {
      return EMPTY;
    }
    byte[] b = cipherOut.toByteArray();
    cipherOut = null;
    return b;
  }

  /** Takes the application plaintext received so far. */
  byte[] takePlaintext() {
    if (plainIn == null) {
      return EMPTY;
    }
    byte[] b = plainIn.toByteArray();
    plainIn = null;
    return b;
  }

  private static final byte[] EMPTY = new byte[0];

  SSLSession session() {
    return engine.getSession();
  }

  void close() {
    engine.closeOutbound();
  }
}
