package io.vpngateway.gateway.tun;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Linux TUN interface (layer 3, no packet-information header), opened through the clone device
 * {@code /dev/net/tun} as described in the kernel's {@code Documentation/networking/tuntap.rst}.
 *
 * <p>With more than one queue the interface is created with {@code IFF_MULTI_QUEUE}: every queue is
 * its own file descriptor attached to the same interface, and the kernel spreads outgoing flows
 * over the queues by flow hash, so one worker thread per queue reads without contention. The
 * interface is not persistent: it disappears when the last queue is closed, so a crashed gateway
 * leaves nothing behind.
 *
 * <p>The interface is opened with {@code IFF_VNET_HDR}; {@link TunQueue} adds and strips the
 * 10-byte header, and {@link TcpSegmentCoalescer} writes GSO packets through it. Until {@link
 * #enableTcpSegmentationOffload()} is called the kernel only hands us plain, checksummed packets;
 * after it, it may hand TCP/IPv4 super-packets of up to 64 KiB and packets whose checksum is
 * left to us ({@link TsoSegmenter} finishes both).
 *
 * <p>Opening needs {@code CAP_NET_ADMIN}. Addresses, MTU and link state are set separately (see
 * {@code io.vpngateway.gateway.net.LinkConfigurator}).
 */
public final class TunDevice implements AutoCloseable {
  /** {@code _IOW('T', 202, int)} from {@code linux/if_tun.h}. */
  static final long TUNSETIFF = 0x400454caL;

  static final short IFF_TUN = 0x0001;
  static final short IFF_NO_PI = 0x1000;
  static final short IFF_MULTI_QUEUE = 0x0100;
  /**
   * Every read and write carries a {@code struct virtio_net_hdr} first, which lets a writer hand
   * the kernel one coalesced TCP super-segment (see {@link TcpSegmentCoalescer}).
   */
  static final short IFF_VNET_HDR = 0x4000;

  /** {@code _IOW('T', 208, unsigned int)}: the offloads the reader of the device handles. */
  static final long TUNSETOFFLOAD = 0x400454d0L;

  /** We complete partial checksums (virtio_net_hdr NEEDS_CSUM). */
  static final int TUN_F_CSUM = 0x01;

  /** We segment TCP/IPv4 super-packets (virtio_net_hdr GSO_TCPV4). */
  static final int TUN_F_TSO4 = 0x02;

  /** ... including ones with ECN (CWR on the first segment only). */
  static final int TUN_F_TSO_ECN = 0x08;

  /** {@code struct ifreq} is 40 bytes on LP64: the name (IFNAMSIZ = 16) then a union. */
  private static final int IFREQ_SIZE = 40;

  private static final int IFNAMSIZ = 16;
  private static final String CLONE_DEVICE = "/dev/net/tun";

  private final String name;
  private final List<TunQueue> queues;

  private TunDevice(String name, List<TunQueue> queues) {
    this.name = name;
    this.queues = List.copyOf(queues);
  }

  /**
   * Creates (or attaches to) TUN interface {@code requestedName} with {@code queueCount} queues. A
   * name containing {@code %d} lets the kernel pick a free number; {@link #name()} tells the
   * result.
   *
   * @throws IOException with the kernel's reason when the clone device is missing, the caller lacks
   *     CAP_NET_ADMIN, or the name is taken by an interface of another kind
   */
  public static TunDevice open(String requestedName, int queueCount) throws IOException {
    if (requestedName == null || requestedName.isEmpty()) {
      throw new IllegalArgumentException("TUN interface name must not be empty");
    }
    if (requestedName.getBytes(StandardCharsets.US_ASCII).length >= IFNAMSIZ) {
      throw new IllegalArgumentException(
          "TUN interface name '" + requestedName + "' is longer than " + (IFNAMSIZ - 1) + " bytes");
    }
    if (queueCount < 1) {
      throw new IllegalArgumentException("queueCount must be at least 1, was " + queueCount);
    }
    short flags =
        (short) (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR | (queueCount > 1 ? IFF_MULTI_QUEUE : 0));
    List<TunQueue> opened = new ArrayList<>(queueCount);
    String name = requestedName;
    try {
      for (int i = 0; i < queueCount; i++) {
        int fd = LibC.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
          throw new IOException(
              "cannot open " + CLONE_DEVICE + ": " + LibC.describe(Native.getLastError()));
        }
        try {
          name = attach(fd, name, flags);
        } catch (IOException e) {
          LibC.close(fd);
          throw e;
        }
        opened.add(new TunQueue(fd, name, i));
      }
    } catch (IOException | RuntimeException e) {
      opened.forEach(TunQueue::close);
      throw e;
    }
    return new TunDevice(name, opened);
  }

  private static String attach(int fd, String name, short flags) throws IOException {
    try (Memory ifreq = new Memory(IFREQ_SIZE)) {
      ifreq.clear();
      byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
      ifreq.write(0, nameBytes, 0, nameBytes.length);
      ifreq.setShort(IFNAMSIZ, flags);
      if (LibC.ioctl(fd, TUNSETIFF, ifreq) < 0) {
        int errno = Native.getLastError();
        throw new IOException(
            "TUNSETIFF "
                + name
                + " failed: "
                + LibC.describe(errno)
                + (errno == 1 ? "; CAP_NET_ADMIN is required" : "")
                + (errno == 22 ? "; an interface of that name exists with other flags" : ""));
      }
      // the kernel writes back the final name (resolves %d)
      return ifreq.getString(0, StandardCharsets.US_ASCII.name());
    }
  }

  /**
   * Tells the kernel that the readers segment TCP/IPv4 super-packets and complete checksums
   * ({@code TUNSETOFFLOAD} with {@code TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN}): the TCP stack
   * then builds one packet of up to 64 KiB where it would build 45, and the device stops
   * computing checksums that the reader computes anyway. Readers must then read into 64 KiB
   * buffers and handle the {@code virtio_net_hdr} ({@link TsoSegmenter}).
   *
   * @return false when the kernel refuses (the device keeps handing plain packets)
   */
  public boolean enableTcpSegmentationOffload() {
    return queues.get(0).setOffload(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN);
  }

  /** The interface name as the kernel knows it. */
  public String name() {
    return name;
  }

  /** The queues, one file descriptor each; index {@code i} is queue {@code i}. */
  public List<TunQueue> queues() {
    return queues;
  }

  public TunQueue queue(int index) {
    return queues.get(index);
  }

  /** Closes every queue; the interface is removed by the kernel when the last one closes. */
  @Override
  public void close() {
    queues.forEach(TunQueue::close);
  }
}
