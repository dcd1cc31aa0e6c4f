package io.vpngateway.gateway.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's counters of the gateway's TUN interface, read from {@code /proc/net/dev} (which
 * shows the reading process's network namespace, i.e. the pod's). For a TUN interface the kernel's
 * "receive" side is what the gateway wrote into it, i.e. packets from clients; "transmit" is what
 * the kernel routed to the gateway for clients. Kernel transmit drops mean the gateway did not read
 * its queues fast enough.
 */
public final class InterfaceCounters implements MetricsCollector {
  private final String interfaceName;
  private final Path procNetDev;

  public InterfaceCounters(String interfaceName) {
    this(interfaceName, Path.of("/proc/net/dev"));
  }

  InterfaceCounters(String interfaceName, Path procNetDev) {
    this.interfaceName = interfaceName;
    this.procNetDev = procNetDev;
  }

  /** rx bytes, rx packets, rx drops, tx bytes, tx packets, tx drops. */
  record Counters(
      long rxBytes, long rxPackets, long rxDropped, long txBytes, long txPackets, long txDropped) {}

  Optional<Counters> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(procNetDev);
    } catch (IOException e) {
      return Optional.empty();
    }
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equals(interfaceName)) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets
      // errs drop ...
      return Optional.of(
          new Counters(
              Long.parseLong(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[3]),
              Long.parseLong(f[8]),
              Long.parseLong(f[9]),
              Long.parseLong(f[11])));
    }
    return Optional.empty();
  }

  @Override
  public void collect(PrometheusTextWriter w) {
    Optional<Counters> read = read();
    if (read.isEmpty()) {
      return;
    }
    Counters c = read.get();
    w.family(
        "vpngw_tun_packets_total",
        "counter",
        "Inner packets through the TUN interface: in = from clients, out = to clients.");
    w.sample("vpngw_tun_packets_total", c.rxPackets(), "direction", "in");
    w.sample("vpngw_tun_packets_total", c.txPackets(), "direction", "out");
    w.family(
        "vpngw_tun_bytes_total",
        "counter",
        "Inner bytes through the TUN interface: in = from clients, out = to clients.");
    w.sample("vpngw_tun_bytes_total", c.rxBytes(), "direction", "in");
    w.sample("vpngw_tun_bytes_total", c.txBytes(), "direction", "out");
    w.family(
        "vpngw_tun_dropped_packets_total",
        "counter",
        "Packets the kernel dropped at the TUN interface (out: the gateway read too slowly).");
    w.sample("vpngw_tun_dropped_packets_total", c.rxDropped(), "direction", "in");
    w.sample("vpngw_tun_dropped_packets_total", c.txDropped(), "direction", "out");
  }
}
