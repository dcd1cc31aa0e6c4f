package io.vpngateway.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code in the test JVM but inside a lab namespace. Linux keeps the network namespace per
 * thread, so a fresh thread joins the namespace with {@code setns(2)}, runs the task and ends: the
 * rest of the JVM stays where it was. A TUN device opened, a socket bound or a child process
 * started from that thread belongs to the namespace.
 */
final class Setns {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY_CLOEXEC = 02000000;

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private Setns() {}

  private static native int open(String path, int flags) throws LastErrorException;

  private static native int setns(int fd, int nstype) throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  static <T> T callInside(String namespace, Callable<T> task) throws Exception {
    FutureTask<T> future =
        new FutureTask<>(
            () -> {
              int fd = open("/run/netns/" + namespace, O_RDONLY_CLOEXEC);
              try {
                setns(fd, CLONE_NEWNET);
              } finally {
                close(fd);
              }
              return task.call();
            });
    Thread thread = new Thread(future, "in-netns-" + namespace);
    thread.start();
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
