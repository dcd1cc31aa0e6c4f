package io.vpngateway.testing;

import java.net.NetworkInterface;
import java.util.stream.Collectors;

/** A tiny program NetnsLabTest runs as a child JVM inside a namespace: prints its interfaces. */
public final class LabEchoMain {
  private LabEchoMain() {}

  public static void main(String[] args) throws Exception {
    String names =
        NetworkInterface.networkInterfaces()
            .map(NetworkInterface::getName)
            .sorted()
            .collect(Collectors.joining(","));
    System.out.println("java " + Runtime.version().feature() + " interfaces " + names);
    System.out.println("ready " + String.join(" ", args));
  }
}
