package io.vpngateway.gateway.ikev2;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.ikev2.session.IkeEngine;
import io.vpngateway.gateway.ikev2.session.Ikev2Policy;
import io.vpngateway.gateway.ikev2.session.Ikev2Stats;
import io.vpngateway.gateway.ikev2.session.Ikev2Warmup;
import io.vpngateway.gateway.ikev2.transport.Ikev2UdpTransport;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.protocol.Endpoint;
import io.vpngateway.gateway.protocol.ProtocolContext;
import io.vpngateway.gateway.protocol.ProtocolServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * IKEv2/IPsec as one of the gateway's {@link ProtocolServer}s: an IKEv2 responder (RFC 7296) on
 * UDP 500 and 4500 with ESP in UDP (RFC 3948) in user space, feeding the shared TUN data plane.
 * Clients are admitted through the gateway's admission (authentication pipeline, connection
 * budget, refusal reporting), get addresses from the group-aware pools and join the shared session
 * registry like every protocol's.
 *
 * <p>It is the composition of the UDP transport ({@link Ikev2UdpTransport}) and the engine that
 * holds the IKE state ({@link IkeEngine}); {@link Ikev2PolicyMapper} maps the config onto the
 * engine's {@link Ikev2Policy} at start and at every reload.
 */
public final class Ikev2ProtocolServer implements ProtocolServer {
  private static final System.Logger LOG = System.getLogger(Ikev2ProtocolServer.class.getName());
  /** IKE datagrams that may wait for the control thread (a flood beyond is counted and dropped). */
  static final int CONTROL_QUEUE = 4096;

  private final ProtocolContext context;
  private final Ikev2Stats stats = new Ikev2Stats();
  private final Ikev2UdpTransport transport = new Ikev2UdpTransport();
  private final IkeEngine engine;
  private List<InetSocketAddress> bound = List.of();

  public Ikev2ProtocolServer(ProtocolContext context) {
    this.context = context;
    this.engine =
        new IkeEngine(
            Ikev2PolicyMapper.policy(context.config(), context.connectionShare()),
            transport,
            context.admission(),
            context.allocator(),
            context.sessions(),
            context.sinks(),
            stats,
            CONTROL_QUEUE);
    transport.attach(engine);
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.IKEv2;
  }

  /**
   * Handshakes against a throwaway engine on this server's policy, offering the config's first
   * (preferred) IKE and ESP proposal ({@link Ikev2Warmup}).
   */
  @Override
  public int warmUp(int handshakes, long deadlineNanos) throws Exception {
    GatewayConfig.Crypto crypto = context.config().document().crypto();
    return Ikev2Warmup.run(
        engine.policy(), crypto.ike().get(0), crypto.esp().get(0), handshakes, deadlineNanos,
        Ikev2UdpTransport::detachedPeer);
  }

  /** Binds UDP 500 and 4500 (as configured) and starts serving. */
  @Override
  public void start() throws IOException {
    engine.start();
    bound =
        transport.bind(
            new InetSocketAddress(context.listenAddress(), context.listen().ike()),
            new InetSocketAddress(context.listenAddress(), context.listen().ikeNatT()));
    LOG.log(System.Logger.Level.INFO, "IKEv2 listening on udp {0} and {1} (NAT-T), {2}",
        bound.get(0), bound.get(1), engine.policy());
  }

  /**
   * Proposals, routes, DNS, timers and the server certificate apply to the next exchanges; live
   * IKE SAs whose login the reloaded authentication settings no longer admit end with an
   * INFORMATIONAL Delete ({@link io.vpngateway.gateway.admission.Admission#endSessionsNoLongerAdmitted}),
   * the others keep running untouched.
   */
  @Override
  public void apply(RuntimeConfig next) {
    engine.updatePolicy(Ikev2PolicyMapper.policy(next, context.connectionShare()));
    context.admission().endSessionsNoLongerAdmitted(context.sessions(), VpnProtocol.IKEv2);
  }

  @Override
  public List<Endpoint> endpoints() {
    if (bound.isEmpty()) {
      return List.of();
    }
    return List.of(new Endpoint("udp", bound.get(0)), new Endpoint("udp-natt", bound.get(1)));
  }

  @Override
  public Map<String, Long> droppedPackets() {
    return stats.drops();
  }

  @Override
  public void collectMetrics(PrometheusTextWriter w) {
    stats.writeMetrics(w);
  }

  public Ikev2Stats stats() {
    return stats;
  }

  public Ikev2Policy policy() {
    return engine.policy();
  }

  /** Tells every client goodbye (Delete) and closes the sockets. */
  @Override
  public void close() {
    engine.close();
    transport.close();
  }
}
