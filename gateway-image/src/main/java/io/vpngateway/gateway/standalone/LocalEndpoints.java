package io.vpngateway.gateway.standalone;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The endpoints of a standalone gateway started without {@code --endpoint}. */
final class LocalEndpoints {
  private LocalEndpoints() {}

  /** This host's name and its non-loopback IPv4 addresses: what a LAN client would dial. */
  static List<String> discover() {
    Set<String> endpoints = new LinkedHashSet<>();
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        endpoints.add(host);
      }
    } catch (IOException e) {
      // no resolvable host name: the addresses below still work
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            endpoints.add(a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // no interface list: fall back to the host name alone
    }
    if (endpoints.isEmpty()) {
      endpoints.add("localhost");
    }
    return List.copyOf(endpoints);
  }
}
