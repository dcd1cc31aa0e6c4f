package io.vpngateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The connection-thread factory on the build's JVM (Java 17: platform threads); {@link
 * ConnectionThreadsJava25Test} covers the virtual threads of the image's Java 25.
 */
class ConnectionThreadsTest {

  @Test
  void usesVirtualThreadsExactlyWhenTheJvmHasThemAndTheyAreNotForcedOff() {
    int feature = Runtime.version().feature();
    assertEquals(feature >= 21, ConnectionThreads.virtualThreadsAvailable(), "Java " + feature);
    boolean forced = Boolean.getBoolean(ConnectionThreads.PLATFORM_PROPERTY);
    assertEquals(feature >= 21 && !forced, ConnectionThreads.get().virtual());
  }

  @Test
  void forcedPlatformThreadsAreNamedDaemonPlatformThreads() throws Exception {
    ConnectionThreads threads = ConnectionThreads.choose(true);
    assertFalse(threads.virtual());
    Seen seen = Seen.run(threads, "openvpn-tcp-/127.0.0.1:1194");
    assertEquals("openvpn-tcp-/127.0.0.1:1194", seen.name);
    assertTrue(seen.daemon, "a connection thread must not keep the JVM alive");
    assertFalse(seen.virtual);
  }

  /** What a task saw of the thread it ran on. */
  record Seen(String name, boolean daemon, boolean virtual) {
    static Seen run(ConnectionThreads threads, String name) throws Exception {
      CompletableFuture<Seen> seen = new CompletableFuture<>();
      Thread started =
          threads.start(
              name,
              () -> {
                Thread t = Thread.currentThread();
                seen.complete(new Seen(t.getName(), t.isDaemon(), isVirtual(t)));
              });
      Seen s = seen.get(30, TimeUnit.SECONDS);
      started.join(TimeUnit.SECONDS.toMillis(30));
      return s;
    }
  }

  /** {@code Thread.isVirtual()} (Java 21), false where the JVM has no virtual threads. */
  static boolean isVirtual(Thread t) {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    } catch (NoSuchMethodException e) {
      return false;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
