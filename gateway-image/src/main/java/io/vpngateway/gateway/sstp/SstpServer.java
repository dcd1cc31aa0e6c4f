package io.vpngateway.gateway.sstp;

import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.protocol.ConnectionThreads;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.sstp.ppp.session.PppSession;
import io.vpngateway.gateway.sstp.session.SstpConnection;
import io.vpngateway.gateway.sstp.session.SstpServerContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The SSTP server (MS-SSTP): TLS on TCP, {@code SSTP_DUPLEX_POST}, SSTP control, PPP in user space
 * (LCP, MS-CHAPv2, IPCP), IPv4 into the gateway's shared data plane. Connections arrive on its own
 * listener or through {@link #adopt} from a shared-port demultiplexer that already read the first
 * bytes of the TLS ClientHello.
 *
 * <p>Each connection has a reader and a writer thread ({@link SstpConnection}); one timer thread
 * ticks every connection once a second (PPP restart timers, SSTP hello and negotiation timers)
 * while there is any: a server without connections does not wake up.
 *
 * <p>Admission: at most {@code maxConnections + maxPendingConnections} connections in all and
 * {@code maxConnectionsPerSource} from one IP are open at once (more are closed at accept,
 * counted); an authenticated client takes a slot of the gateway-wide budget through the {@link
 * Admission} (refused with MaxConnectionsReached when it is used up).
 */
public final class SstpServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SstpServer.class.getName());

  private volatile SstpServerSettings settings;
  private final SstpServerStats stats = new SstpServerStats();
  private final Admission admission;
  private final AddressAllocator allocator;
  private final SessionRegistry registry;
  private final Function<java.net.Inet4Address, InnerPacketSink> sinks;
  private final SecureRandom random = new SecureRandom();
  /** What new connections get; replaced whole by {@link #update} (live ones keep theirs). */
  private volatile SstpServerContext context;
  private final Set<SstpConnection> connections = ConcurrentHashMap.newKeySet();
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private final ScheduledThreadPoolExecutor timer;
  /** The once-a-second tick while connections are open, else null; guarded by {@code ticking}. */
  private ScheduledFuture<?> ticks;
  private final Object ticking = new Object();
  private int open;
  private ServerSocket listener;
  private volatile boolean closed;

  public SstpServer(
      SstpServerSettings settings,
      Admission admission,
      AddressAllocator allocator,
      SessionRegistry registry,
      Function<java.net.Inet4Address, InnerPacketSink> sinks)
      throws GeneralSecurityException {
    this.settings = settings;
    this.admission = admission;
    this.allocator = allocator;
    this.registry = registry;
    this.sinks = sinks;
    this.context = context(settings);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "sstp-timer");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true); // a stopped tick leaves nothing to wake the thread for
  }

  private SstpServerContext context(SstpServerSettings s) throws GeneralSecurityException {
    String[] suites =
        s.tlsCipherSuites().isEmpty() ? null : s.tlsCipherSuites().toArray(new String[0]);
    return new SstpServerContext(
        tlsContext(s).getSocketFactory(),
        s.tlsProtocols().toArray(new String[0]),
        suites,
        new SstpCryptoBindingCheck(s.serverCertificateChain().get(0)),
        new PppSession.Settings(s.authMethods(), s.mru(), s.dns()),
        admission,
        allocator,
        registry,
        sinks,
        stats,
        random,
        s.handshakeTimeout(),
        s.negotiationTimeout(),
        s.helloInterval());
  }

  /**
   * New settings for new connections (a reloaded config: server certificate, TLS policy, DNS,
   * timers); the listener and the caps stay as started, live sessions keep what they negotiated.
   */
  public void update(SstpServerSettings next) throws GeneralSecurityException {
    SstpServerContext c = context(next);
    SstpServerSettings running = settings;
    settings =
        new SstpServerSettings(
            running.listen(),
            next.serverCertificateChain(),
            next.serverPrivateKey(),
            next.tlsProtocols(),
            next.tlsCipherSuites(),
            next.authMethods(),
            next.mru(),
            next.dns(),
            running.maxConnections(),
            running.maxConnectionsPerSource(),
            running.maxPendingConnections(),
            next.handshakeTimeout(),
            next.negotiationTimeout(),
            next.helloInterval());
    context = c;
  }

  private static SSLContext tlsContext(SstpServerSettings s) throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] pw = "in-memory".toCharArray();
    ks.setKeyEntry(
        "server",
        s.serverPrivateKey(),
        pw,
        s.serverCertificateChain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** Starts the timer and, when settings name one, the listener; returns the bound address. */
  public InetSocketAddress start() throws IOException {
    if (settings.listen() == null) {
      return null;
    }
    listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(settings.listen(), 256);
    Thread acceptor = new Thread(this::acceptLoop, "sstp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.info("SSTP listening on " + listener.getLocalSocketAddress());
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        accept(listener.accept(), null);
      } catch (IOException e) {
        if (closed) {
          return;
        }
        LOG.log(Level.FINE, "SSTP accept failed", e);
      }
    }
  }

  /**
   * Takes over a connection a shared-port demultiplexer accepted; {@code alreadyRead} (position to
   * limit, may be null) holds the bytes it consumed while sniffing (the start of the ClientHello).
   * The channel must be in blocking mode.
   */
  public void adopt(SocketChannel channel, ByteBuffer alreadyRead) throws IOException {
    byte[] consumed = null;
    if (alreadyRead != null && alreadyRead.hasRemaining()) {
      consumed = new byte[alreadyRead.remaining()];
      alreadyRead.get(consumed);
    }
    channel.configureBlocking(true);
    accept(channel.socket(), consumed);
  }

  private void accept(Socket socket, byte[] consumed) throws IOException {
    InetAddress source = socket.getInetAddress();
    if (closed || !admit(source)) {
      stats.connectionsRefused.increment();
      socket.close();
      return;
    }
    SstpConnection c = new SstpConnection(socket, consumed, context, this::ended);
    connections.add(c);
    keepTicking();
    // a virtual thread where the JVM has them (see ConnectionThreads)
    ConnectionThreads.get().start("sstp-read-" + socket.getRemoteSocketAddress(), c::run);
  }

  private synchronized boolean admit(InetAddress source) {
    int fromSource = perSource.getOrDefault(source, 0);
    if (open >= settings.maxConnections() + settings.maxPendingConnections()
        || fromSource >= settings.maxConnectionsPerSource()) {
      return false;
    }
    perSource.put(source, fromSource + 1);
    open++;
    return true;
  }

  private void ended(SstpConnection c) {
    if (connections.remove(c)) {
      synchronized (this) {
        perSource.computeIfPresent(
            c.outerAddress().getAddress(), (k, n) -> n <= 1 ? null : n - 1);
        open--;
      }
    }
  }

  /** Whether the once-a-second tick is scheduled (tests). */
  boolean ticking() {
    synchronized (ticking) {
      return ticks != null;
    }
  }

  /** Starts the tick unless it runs; after a connection was added. */
  private void keepTicking() {
    synchronized (ticking) {
      if (ticks == null && !closed) {
        ticks = timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (SstpConnection c : connections) {
      try {
        c.tick(now);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "SSTP timer failed for " + c, e);
      }
    }
    synchronized (ticking) {
      // a connection added after this check finds ticks null and starts the tick again
      if (connections.isEmpty() && ticks != null) {
        ticks.cancel(false);
        ticks = null;
      }
    }
  }

  public SstpServerStats stats() {
    return stats;
  }

  public SstpServerSettings settings() {
    return settings;
  }

  /** Open connections, with a session or not. */
  public int connections() {
    return connections.size();
  }

  /** Stops accepting and ends every connection (Call Disconnect where a call is up). */
  @Override
  public void close() {
    closed = true;
    if (listener != null) {
      try {
        listener.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    for (SstpConnection c : connections) {
      c.shutdown("server shutting down");
    }
    timer.shutdownNow();
  }
}
