package io.vpngateway.gateway.udp;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The libc socket calls of the UDP transport, bound with JNA direct mapping (static natives, no
 * boxing per call; see {@code tun.LibC}). Pointers travel as raw addresses ({@code long}), which on
 * the LP64 ABIs Linux runs on use the same registers as {@code void*}. After a call returns -1,
 * {@link Native#getLastError()} holds errno. Constants are Linux x86-64 / arm64 values from
 * {@code <sys/socket.h>}, {@code <netinet/in.h>}, {@code <linux/udp.h>} and {@code
 * <sys/eventfd.h>}.
 */
final class UdpNative {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_NONBLOCK = 04000;
  static final int SOCK_CLOEXEC = 02000000;
  static final int SOL_SOCKET = 1;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVBUF = 8;
  static final int SO_REUSEPORT = 15;
  static final int IPPROTO_IPV6 = 41;
  static final int IPV6_V6ONLY = 26;
  static final int SOL_UDP = 17;
  /** {@code setsockopt}/cmsg: send one buffer as datagrams of this size (UDP GSO, Linux 4.18). */
  static final int UDP_SEGMENT = 103;
  static final int MSG_TRUNC = 0x20;
  static final int MSG_DONTWAIT = 0x40;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EAGAIN = 11;
  static final int EINVAL = 22;
  static final int ENOPROTOOPT = 92;
  static final int EFD_NONBLOCK = 04000;
  static final int EFD_CLOEXEC = 02000000;
  static final short POLLIN = 0x1;

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private UdpNative() {}

  static native int socket(int domain, int type, int protocol);

  static native int setsockopt(int fd, int level, int name, long value, int length);

  static native int bind(int fd, long address, int length);

  static native int getsockname(int fd, long address, long lengthPointer);

  /** {@code int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, timespec *t)}. */
  static native int recvmmsg(int fd, long vector, int length, int flags, long timeout);

  /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)}. */
  static native long sendmsg(int fd, long message, int flags);

  static native long sendto(int fd, long buffer, long length, int flags, long address, int addrlen);

  static native int poll(long fds, long nfds, int timeoutMillis);

  static native int eventfd(int initial, int flags);

  static native long read(int fd, long buffer, long count);

  static native long write(int fd, long buffer, long count);

  static native int close(int fd);

  static native String strerror(int errno);

  static String describe(int errno) {
    return strerror(errno) + " (errno " + errno + ")";
  }
}
