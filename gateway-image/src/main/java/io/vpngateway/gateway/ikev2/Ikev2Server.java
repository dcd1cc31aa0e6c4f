package io.vpngateway.gateway.ikev2;

import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.ikev2.session.HandshakeObserver;
import io.vpngateway.gateway.ikev2.session.IkeEngine;
import io.vpngateway.gateway.ikev2.session.Ikev2Policy;
import io.vpngateway.gateway.ikev2.session.Ikev2Stats;
import io.vpngateway.gateway.ikev2.transport.Ikev2UdpTransport;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/**
 * The IKEv2/IPsec server of the gateway: an IKEv2 responder (RFC 7296) on UDP 500 and 4500 with
 * ESP in UDP (RFC 3948) in user space, feeding the shared TUN data plane. Sessions join the
 * gateway's {@link SessionRegistry} like every protocol's, with addresses from the group-aware
 * pools and clients authenticated by the gateway's certificate authenticator.
 *
 * <p>It is the composition of the UDP transport ({@link Ikev2UdpTransport}) and the engine that
 * holds the IKE state ({@link IkeEngine}).
 */
public final class Ikev2Server implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Ikev2Server.class.getName());
  /** IKE datagrams that may wait for the control thread (a flood beyond is counted and dropped). */
  static final int CONTROL_QUEUE = 4096;

  private final InetSocketAddress ikeAddress;
  private final InetSocketAddress natTAddress;
  private final Ikev2Stats stats = new Ikev2Stats();
  private final Ikev2UdpTransport transport = new Ikev2UdpTransport();
  private final IkeEngine engine;
  private List<InetSocketAddress> bound = List.of();

  public Ikev2Server(
      Ikev2Policy policy,
      InetSocketAddress ikeAddress,
      InetSocketAddress natTAddress,
      CertificateAuthenticator authenticator,
      AddressAllocator allocator,
      SessionRegistry registry,
      Function<Inet4Address, InnerPacketSink> sinks,
      HandshakeObserver observer) {
    this.ikeAddress = ikeAddress;
    this.natTAddress = natTAddress;
    this.engine =
        new IkeEngine(
            policy, transport, authenticator, allocator, registry, sinks, observer, stats,
            CONTROL_QUEUE);
    transport.attach(engine);
  }

  /** Binds UDP 500 and 4500 (as configured) and starts serving. */
  public void start() throws IOException {
    engine.start();
    bound = transport.bind(ikeAddress, natTAddress);
    LOG.log(System.Logger.Level.INFO, "IKEv2 listening on udp {0} and {1} (NAT-T), {2}",
        bound.get(0), bound.get(1), engine.policy());
  }

  /** The bound IKE (500) and NAT-T (4500) addresses. */
  public List<InetSocketAddress> addresses() {
    return bound;
  }

  public Ikev2Stats stats() {
    return stats;
  }

  public Ikev2Policy policy() {
    return engine.policy();
  }

  /** Proposals, routes, DNS, timers and the server certificate for the next exchanges. */
  public void updatePolicy(Ikev2Policy policy) {
    engine.updatePolicy(policy);
  }

  @Override
  public void close() {
    engine.close();
    transport.close();
  }
}
