package io.vpngateway.gateway.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * What the load generator does. Every field has a default; the setters return this.
 *
 * <p>Source addresses: client {@code i} sends from {@code sourceBase + 1 + i / clientsPerSource},
 * an address of the client namespace (the bench routes a whole /16 to its loopback there, so any
 * of them can be bound without adding 10,000 addresses to an interface).
 */
public final class LoadConfig {
  InetSocketAddress udpTarget;
  InetSocketAddress tcpTarget;
  int sourceBase;
  int clientsPerSource = 1;
  /** Percentage of clients on TCP, spread evenly: any first n clients hold n * this / 100. */
  int tcpPercent;
  int eventLoops = 2;
  Duration trickleInterval = Duration.ofSeconds(10);
  Duration renegotiateInterval = Duration.ZERO;
  Duration handshakeTimeout = Duration.ofSeconds(60);
  /** New connections per second over all clients (a ramp), 0 = unlimited. */
  double connectsPerSecond = 200;
  /** Intentional disconnect-and-reconnect per second over all clients, 0 = none. */
  volatile double churnPerSecond;
  /** After an intentional disconnect, how long a client waits before it connects again. */
  Duration churnPause = Duration.ofSeconds(1);
  /** Handshake benchmark: every established session says EXIT at once and reconnects. */
  boolean cycle;
  /** Sent by every client in key-method 2 ({@code auth-user-pass}); empty: none. */
  String username = "";
  String password = "";
  /** The generator stops itself after this, whatever its caller does. */
  Duration maxDuration = Duration.ofMinutes(40);

  /** Every client sends this user name and password (a RADIUS or OIDC gateway). */
  public LoadConfig password(String user, String pass) {
    this.username = user;
    this.password = pass;
    return this;
  }

  public LoadConfig udp(InetSocketAddress target) {
    this.udpTarget = target;
    return this;
  }

  public LoadConfig tcp(InetSocketAddress target) {
    this.tcpTarget = target;
    return this;
  }

  /** Clients send from addresses after {@code base} (e.g. 10.97.0.0), {@code perSource} each. */
  public LoadConfig sources(String base, int perSource) {
    try {
      byte[] b = InetAddress.getByName(base).getAddress();
      this.sourceBase =
          ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(base, e);
    }
    this.clientsPerSource = Math.max(1, perSource);
    return this;
  }

  public LoadConfig tcpPercent(int percent) {
    this.tcpPercent = percent;
    return this;
  }

  public LoadConfig eventLoops(int n) {
    this.eventLoops = Math.max(1, n);
    return this;
  }

  public LoadConfig trickle(Duration interval) {
    this.trickleInterval = interval;
    return this;
  }

  public LoadConfig renegotiate(Duration interval) {
    this.renegotiateInterval = interval;
    return this;
  }

  public LoadConfig handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = timeout;
    return this;
  }

  public LoadConfig connectsPerSecond(double rate) {
    this.connectsPerSecond = rate;
    return this;
  }

  public LoadConfig churn(double perSecond, Duration pause) {
    this.churnPerSecond = perSecond;
    this.churnPause = pause;
    return this;
  }

  public LoadConfig cycle(boolean cycle) {
    this.cycle = cycle;
    return this;
  }

  public LoadConfig maxDuration(Duration d) {
    this.maxDuration = d;
    return this;
  }

  InetAddress sourceOf(int client) {
    int a = sourceBase + 1 + client / clientsPerSource;
    byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean usesTcp(int client) {
    // Bresenham: client i is on TCP when the running quota steps up at i
    long p = Math.max(0, Math.min(100, tcpPercent));
    return (client + 1) * p / 100 > client * p / 100;
  }
}
