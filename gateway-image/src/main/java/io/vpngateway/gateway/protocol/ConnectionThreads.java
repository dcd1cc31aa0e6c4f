package io.vpngateway.gateway.protocol;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Starts the threads that belong to one client connection (the OpenVPN-over-TCP reader and
 * writer, the SSTP reader and writer): virtual threads where the running JVM has them (Java 21+;
 * the image runs Java 25), platform daemon threads otherwise (the module compiles for Java 17, so
 * the virtual-thread builder is looked up once through {@link MethodHandles}).
 *
 * <p>Why virtual: each such thread spends its life blocked in a socket read, a socket write or a
 * wait for queued frames, and 10,000 TCP clients were 20,000 platform threads. A virtual thread
 * blocked in socket I/O or in {@code Object.wait} gives its carrier back (on Java 24+ also inside
 * {@code synchronized}, JEP 491; on Java 21-23 the writers' {@code wait()} in their link's monitor
 * pins a carrier while the queue is empty, so there {@code -Dvpngw.connections.platformThreads=true}
 * is the better choice). Native calls on these threads (the JNA write of a decrypted packet into
 * the TUN device) are short non-blocking writes and pin only for their duration. The threads use
 * no per-thread state of their own: the send batches and segment coalescers kept in ThreadLocals
 * belong to the UDP receive and TUN reader threads, which stay platform threads.
 *
 * <p>{@code -Dvpngw.connections.platformThreads=true} forces platform threads.
 */
public final class ConnectionThreads {
  /** The system property that forces platform threads. */
  public static final String PLATFORM_PROPERTY = "vpngw.connections.platformThreads";

  /** The virtual-thread builder's methods, or null before Java 21. */
  private static final VirtualBuilder VIRTUAL = VirtualBuilder.lookUp();

  private static final ConnectionThreads DEFAULT =
      choose(Boolean.parseBoolean(System.getProperty(PLATFORM_PROPERTY)));

  private final boolean virtual;

  private ConnectionThreads(boolean virtual) {
    this.virtual = virtual;
  }

  /** Virtual threads unless the JVM lacks them or {@link #PLATFORM_PROPERTY} is true. */
  public static ConnectionThreads get() {
    return DEFAULT;
  }

  /** Virtual threads where the JVM has them, unless {@code forcePlatform}. */
  static ConnectionThreads choose(boolean forcePlatform) {
    return new ConnectionThreads(!forcePlatform && VIRTUAL != null);
  }

  /** True when the running JVM can start virtual threads. */
  public static boolean virtualThreadsAvailable() {
    return VIRTUAL != null;
  }

  /** True when {@link #start} starts virtual threads. */
  public boolean virtual() {
    return virtual;
  }

  /** Starts {@code task} on a new connection thread named {@code name}. */
  public Thread start(String name, Runnable task) {
    Thread t = virtual ? unstartedVirtual(name, task) : platformThread(name, task);
    t.start();
    return t;
  }

  private static Thread platformThread(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }

  private static Thread unstartedVirtual(String name, Runnable task) {
    try {
      // Thread.ofVirtual().name(name).unstarted(task); a virtual thread is always a daemon
      Object builder = VIRTUAL.ofVirtual().invoke();
      builder = VIRTUAL.name().invoke(builder, name);
      return (Thread) VIRTUAL.unstarted().invoke(builder, task);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot create a virtual thread", e);
    }
  }

  /** {@code Thread.ofVirtual()}, {@code Thread.Builder.OfVirtual.name}, {@code .unstarted}. */
  private record VirtualBuilder(MethodHandle ofVirtual, MethodHandle name, MethodHandle unstarted) {
    static VirtualBuilder lookUp() {
      try {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> builder = Class.forName("java.lang.Thread$Builder$OfVirtual");
        MethodHandle ofVirtual =
            lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builder));
        MethodHandle name =
            lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
        MethodHandle unstarted =
            lookup.findVirtual(
                builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
        ofVirtual.invoke(); // throws on Java 19-20, where it is a preview API not enabled
        return new VirtualBuilder(ofVirtual, name, unstarted);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        return null; // Java 17-20
      }
    }
  }
}
