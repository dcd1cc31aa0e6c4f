package io.vpngateway.gateway.load;

import io.vpngateway.gateway.load.LoadStats.EndCause;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The load generator: {@link LoadCredentials#size()} simulated OpenVPN clients ({@link
 * LoadClient}) spread over a few {@link EventLoop} threads, of which the first {@link #target}
 * are kept connected. It ramps connections at {@link LoadConfig#connectsPerSecond}, churns
 * (disconnect and reconnect) at {@link LoadConfig#churnPerSecond}, and stops itself after {@link
 * LoadConfig#maxDuration} whatever its caller does. Clients only ever send to the configured
 * gateway addresses, from the configured source range.
 *
 * <pre>
 *   LoadGenerator gen = LoadGenerator.start(config, credentials, r -> ns.startThreadInside("load", r));
 *   gen.target(1000);  gen.awaitEstablished(1000, Duration.ofMinutes(2));  ...  gen.close();
 * </pre>
 */
public final class LoadGenerator implements AutoCloseable {
  /** What a bench or test wants to hear about, called on event-loop threads. */
  public interface Listener {
    default void established(String client, long connectNanos) {}

    /**
     * @param wasEstablished false when a connection attempt ended before PUSH_REPLY
     * @param atNanos {@link System#nanoTime} of the end
     */
    default void ended(String client, EndCause cause, boolean wasEstablished, long atNanos) {}
  }

  private final LoadConfig config;
  private final LoadCredentials credentials;
  private final LoadStats stats = new LoadStats();
  private final EventLoop[] loops;
  private final LoadClient[] clients;
  private final ScheduledExecutorService control =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "load-control");
            t.setDaemon(true);
            return t;
          });
  private volatile Listener listener = new Listener() {};
  private volatile int target;
  private volatile boolean closed;
  private double tokens;
  private long tokensAtNanos = System.nanoTime();
  private double churnDebt;

  private LoadGenerator(LoadConfig config, LoadCredentials credentials) throws IOException {
    this.config = config;
    this.credentials = credentials;
    this.loops = new EventLoop[config.eventLoops];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = new EventLoop("load-loop-" + i, stats);
    }
    this.clients = new LoadClient[credentials.size()];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = new LoadClient(i, this, loops[i % loops.length], credentials.tlsCryptV2(i));
    }
  }

  /**
   * Starts the event loops, each on a thread {@code threadStarter} starts (one that joined the
   * client namespace, so sockets are opened there). No client connects until {@link #target}.
   */
  public static LoadGenerator start(
      LoadConfig config, LoadCredentials credentials, Consumer<Runnable> threadStarter)
      throws IOException {
    if (config.udpTarget == null && config.tcpPercent < 100) {
      throw new IllegalArgumentException("a UDP target is needed");
    }
    if (config.tcpTarget == null && config.tcpPercent > 0) {
      throw new IllegalArgumentException("a TCP target is needed");
    }
    LoadGenerator g = new LoadGenerator(config, credentials);
    for (EventLoop loop : g.loops) {
      threadStarter.accept(loop);
    }
    g.control.scheduleAtFixedRate(g::churnTick, 100, 100, TimeUnit.MILLISECONDS);
    g.control.schedule(
        () -> {
          System.err.println("load generator: max duration " + config.maxDuration + " reached");
          g.close();
        },
        config.maxDuration.toMillis(),
        TimeUnit.MILLISECONDS);
    return g;
  }

  public void listener(Listener l) {
    this.listener = l == null ? new Listener() {} : l;
  }

  /** Keeps clients {@code 0 .. n-1} connected and ends the others (EXIT). */
  public void target(int n) {
    int next = Math.max(0, Math.min(n, clients.length));
    int previous = target;
    target = next;
    for (int i = Math.min(previous, next); i < Math.max(previous, next); i++) {
      LoadClient c = clients[i];
      boolean want = i < next;
      c.loopExecute(() -> c.want(want));
    }
  }

  public int target() {
    return target;
  }

  /** Clients whose connection is established now. */
  public int established() {
    int n = 0;
    for (LoadClient c : clients) {
      if (c.phase() == LoadClient.Phase.ESTABLISHED) {
        n++;
      }
    }
    return n;
  }

  /**
   * Established clients whose last echo reply came back within {@code window}: those whose data
   * path works right now.
   */
  public int answering(Duration window) {
    long since = System.nanoTime() - window.toNanos();
    int n = 0;
    for (LoadClient c : clients) {
      if (c.phase() == LoadClient.Phase.ESTABLISHED && c.lastEchoReplyNanos - since > 0) {
        n++;
      }
    }
    return n;
  }

  /** Waits until at least {@code n} clients are established; false on timeout. */
  public boolean awaitEstablished(int n, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (established() < n) {
      if (System.nanoTime() - end > 0 || closed) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  public LoadStats stats() {
    return stats;
  }

  public LoadConfig config() {
    return config;
  }

  public LoadCredentials credentials() {
    return credentials;
  }

  /** The index of the client named {@code name}, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < credentials.size(); i++) {
      if (credentials.name(i).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public boolean isEstablished(int client) {
    return clients[client].phase() == LoadClient.Phase.ESTABLISHED;
  }

  public boolean usesTcp(int client) {
    return clients[client].isTcp();
  }

  /** Connections client {@code i} established so far. */
  public int connections(int client) {
    return clients[client].establishedCount;
  }

  /** The global connect ramp: a token bucket of {@link LoadConfig#connectsPerSecond}. */
  synchronized boolean mayConnect(long now) {
    double rate = config.connectsPerSecond;
    if (rate <= 0) {
      return true;
    }
    tokens = Math.min(Math.max(1, rate / 10), tokens + (now - tokensAtNanos) / 1e9 * rate);
    tokensAtNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  void onEstablished(LoadClient c, long connectNanos) {
    listener.established(credentials.name(c.index), connectNanos);
  }

  void onEnded(LoadClient c, EndCause cause, boolean wasEstablished, long now) {
    listener.ended(credentials.name(c.index), cause, wasEstablished, now);
  }

  private void churnTick() {
    int t = target;
    if (config.churnPerSecond <= 0 || t == 0 || closed) {
      return;
    }
    churnDebt += config.churnPerSecond / 10;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int tries = 0; churnDebt >= 1 && tries < 100; tries++) {
      LoadClient c = clients[r.nextInt(t)];
      if (c.phase() == LoadClient.Phase.ESTABLISHED) {
        churnDebt -= 1;
        c.loopExecute(c::churn);
      }
    }
  }

  /** Ends every connection (EXIT), waits briefly for it to leave, and stops the loops. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    target(0);
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (established() > 0 && System.nanoTime() - end < 0) {
        Thread.sleep(50);
      }
      Thread.sleep(200); // the EXIT datagrams leave the sockets before they close
      for (EventLoop loop : loops) {
        loop.stop();
      }
      for (EventLoop loop : loops) {
        loop.join(5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    control.shutdownNow();
  }
}
