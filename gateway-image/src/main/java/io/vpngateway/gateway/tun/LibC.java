package io.vpngateway.gateway.tun;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the TUN device needs, bound with JNA direct mapping. Direct mapping (static
 * natives registered once) is used rather than an interface proxy because a proxy call boxes its
 * arguments into an {@code Object[]}: the read/write path must not allocate per packet. Buffers are
 * passed as raw addresses ({@code long}), which on the LP64 ABIs Linux runs on travel in the same
 * integer registers as {@code void*}. After a call returns -1, {@link Native#getLastError()} holds
 * errno (JNA always preserves it).
 */
final class LibC {
  static final int O_RDWR = 2;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final short POLLIN = 0x1;
  static final int EFD_NONBLOCK = 04000;
  static final int EFD_CLOEXEC = 02000000;
  static final int EPOLL_CLOEXEC = 02000000;
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x1;

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private LibC() {}

  static native int open(String path, int flags);

  static native int ioctl(int fd, long request, Pointer arg);

  static native long read(int fd, long buffer, long count);

  static native long write(int fd, long buffer, long count);

  /** {@code ssize_t readv(int fd, const struct iovec *iov, int iovcnt)}. */
  static native long readv(int fd, long iov, int iovcnt);

  /** {@code ssize_t writev(int fd, const struct iovec *iov, int iovcnt)}. */
  static native long writev(int fd, long iov, int iovcnt);

  /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
  static native int poll(long fds, long nfds, int timeoutMillis);

  static native int close(int fd);

  /** {@code int epoll_create1(int flags)}. */
  static native int epoll_create1(int flags);

  /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}. */
  static native int epoll_ctl(int epfd, int op, int fd, long event);

  /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)}. */
  static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

  /** {@code int eventfd(unsigned int initval, int flags)}. */
  static native int eventfd(int initial, int flags);

  static native String strerror(int errno);

  static String describe(int errno) {
    return strerror(errno) + " (errno " + errno + ")";
  }
}
