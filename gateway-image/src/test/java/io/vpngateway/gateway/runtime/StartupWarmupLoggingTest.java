package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.protocol.Endpoint;
import io.vpngateway.gateway.protocol.ProtocolServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's own per-session log records (on its thread and the threads it starts) go through
 * the handlers' formatter, so that code is compiled, but are not written; its warnings and the
 * records of every other thread (a protocol already serving real clients) are written.
 */
class StartupWarmupLoggingTest {
  private static final Logger LOG = Logger.getLogger("io.vpngateway.gateway.ikev2.WarmupTest");

  /** Records the handler wrote, and how many the formatter saw. */
  private static final class Capture extends Handler {
    final List<String> published = new CopyOnWriteArrayList<>();
    final AtomicInteger formatted = new AtomicInteger();

    Capture() {
      setFormatter(
          new Formatter() {
            @Override
            public String format(LogRecord record) {
              formatted.incrementAndGet();
              return record.getMessage();
            }
          });
    }

    @Override
    public void publish(LogRecord record) {
      if (isLoggable(record)) {
        published.add(getFormatter().format(record));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** A protocol whose warm-up logs from its thread and from a thread it starts. */
  private static ProtocolServer server(Runnable duringWarmup) {
    return new ProtocolServer() {
      @Override
      public VpnProtocol protocol() {
        return VpnProtocol.IKEv2;
      }

      @Override
      public int warmUp(int handshakes, long deadlineNanos) throws Exception {
        LOG.info("warm-up connected");
        Thread engine = new Thread(() -> LOG.info("warm-up closed"), "throwaway-control");
        engine.start();
        engine.join();
        LOG.warning("warm-up refused something");
        duringWarmup.run();
        return 1;
      }

      @Override
      public void start() {}

      @Override
      public void apply(RuntimeConfig next) {}

      @Override
      public List<Endpoint> endpoints() {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void warmupRecordsAreFormattedButNotWrittenAndOthersAreWritten() throws Exception {
    Logger root = Logger.getLogger("");
    Capture capture = new Capture();
    root.addHandler(capture);
    // a thread that existed before the warm-up: a real client's session of another protocol
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch logged = new CountDownLatch(1);
    Thread realClient =
        new Thread(
            () -> {
              try {
                go.await();
                LOG.info("real client connected");
                logged.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "openvpn-control");
    realClient.start();
    try {
      StartupWarmup.run(
          server(
              () -> {
                go.countDown();
                try {
                  assertTrue(logged.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }));
      LOG.info("after the warm-up");

      List<String> written =
          capture.published.stream().filter(m -> !m.startsWith("IKEv2 warm-up:")).toList();
      assertEquals(
          List.of("warm-up refused something", "real client connected", "after the warm-up"),
          written);
      // the two dropped records were formatted all the same (the formatter's code is warm)
      assertEquals(capture.published.size() + 2, capture.formatted.get());
      assertNull(capture.getFilter(), "the handler's filter is restored");
    } finally {
      root.removeHandler(capture);
      realClient.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
