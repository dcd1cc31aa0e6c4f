package io.vpngateway.gateway.protocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The connection-thread factory on the image's Java 25: virtual threads, which give their carrier
 * back while blocked in a socket read (so 100 connections blocked in read cost no 100 OS threads),
 * and platform threads when forced.
 *
 * <p>Tagged {@code java25}: the build runs it on the Java 25 JVM (gateway-image/pom.xml).
 */
@Tag("java25")
class ConnectionThreadsJava25Test {
  private static final int CONNECTIONS = 100;

  @BeforeEach
  void needsVirtualThreads() {
    Prerequisites.require(
        Runtime.version().feature() >= 21,
        "Java 21+ for virtual threads (running " + Runtime.version().feature() + ")");
  }

  @Test
  void connectionThreadsAreNamedVirtualThreadsByDefault() throws Exception {
    assertTrue(ConnectionThreads.virtualThreadsAvailable());
    assertTrue(ConnectionThreads.get().virtual());
    ConnectionThreadsTest.Seen seen =
        ConnectionThreadsTest.Seen.run(ConnectionThreads.get(), "sstp-read-/127.0.0.1:443");
    assertEquals("sstp-read-/127.0.0.1:443", seen.name());
    assertTrue(seen.virtual());
    assertTrue(seen.daemon());
  }

  @Test
  void theForcedChoiceIsPlatformThreadsEvenHere() throws Exception {
    ConnectionThreads threads = ConnectionThreads.choose(true);
    assertFalse(threads.virtual());
    ConnectionThreadsTest.Seen seen = ConnectionThreadsTest.Seen.run(threads, "openvpn-tcp-x-tx");
    assertFalse(seen.virtual());
    assertTrue(seen.daemon());
  }

  @Test
  void readersBlockedInSocketReadsHoldNoPlatformThreadEach() throws Exception {
    int added = platformThreadsAddedByBlockedReaders(ConnectionThreads.get());
    assertTrue(added < CONNECTIONS / 2, added + " platform threads for " + CONNECTIONS + " readers");
  }

  @Test
  void forcedPlatformReadersHoldAPlatformThreadEach() throws Exception {
    int added = platformThreadsAddedByBlockedReaders(ConnectionThreads.choose(true));
    assertTrue(added >= CONNECTIONS * 9 / 10, added + " platform threads for " + CONNECTIONS + " readers");
  }

  /** Starts a reader per loopback connection, all blocked in read; the OS threads they added. */
  private static int platformThreadsAddedByBlockedReaders(ConnectionThreads threads)
      throws IOException {
    var mx = ManagementFactory.getThreadMXBean();
    List<Socket> sockets = new ArrayList<>();
    AtomicInteger reading = new AtomicInteger();
    AtomicInteger ended = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, CONNECTIONS, InetAddress.getLoopbackAddress())) {
      int before = mx.getThreadCount();
      for (int i = 0; i < CONNECTIONS; i++) {
        sockets.add(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        Socket accepted = server.accept();
        sockets.add(accepted);
        threads.start(
            "test-read-" + i,
            () -> {
              try (InputStream in = accepted.getInputStream()) {
                reading.incrementAndGet();
                in.read(); // blocks until the test closes the sockets
              } catch (IOException e) {
                // closed by the test
              } finally {
                ended.incrementAndGet();
              }
            });
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> reading.get() == CONNECTIONS);
      return mx.getThreadCount() - before;
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> ended.get() == CONNECTIONS);
    }
  }
}
