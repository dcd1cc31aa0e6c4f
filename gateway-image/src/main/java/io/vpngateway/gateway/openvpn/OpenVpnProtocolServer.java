package io.vpngateway.gateway.openvpn;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.openvpn.session.OpenVpnWarmup;
import io.vpngateway.gateway.portshare.FirstBytes;
import io.vpngateway.gateway.portshare.SharedTcpPorts;
import io.vpngateway.gateway.portshare.TcpProtocolHandler;
import io.vpngateway.gateway.protocol.Endpoint;
import io.vpngateway.gateway.protocol.ProtocolContext;
import io.vpngateway.gateway.protocol.ProtocolServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * OpenVPN as one of the gateway's {@link ProtocolServer}s: maps the config onto {@link
 * OpenVpnServerSettings} (at start and at every reload) and drives an {@link OpenVpnServer} that
 * admits clients through the gateway's admission.
 */
public final class OpenVpnProtocolServer implements ProtocolServer {
  private static final Logger LOG = Logger.getLogger(OpenVpnProtocolServer.class.getName());

  private final RuntimeConfig startedWith;
  private final OpenVpnServer server;
  private final SharedTcpPorts tcpPorts;
  private final int tcpPort;
  private SharedTcpPorts.Registration tcp;

  /**
   * UDP is the server's own socket; TCP goes through the gateway's shared TCP ports (the server
   * binds no TCP listener), where it shares TCP 443 with SSTP.
   */
  public OpenVpnProtocolServer(ProtocolContext context) throws GeneralSecurityException {
    this.startedWith = context.config();
    this.tcpPorts = context.tcpPorts();
    GatewayConfig.Listen listen = context.listen();
    this.tcpPort = listen.openvpnTcp();
    GatewayConfig.Listen udpOnly =
        new GatewayConfig.Listen(
            listen.openvpnUdp(), -1, listen.ike(), listen.ikeNatT(), listen.sstp());
    this.server =
        new OpenVpnServer(
            OpenVpnSettingsMapper.settings(
                context.config(), context.listenAddress(), udpOnly, context.connectionShare()),
            context.admission(),
            context.allocator(),
            context.sessions(),
            context.sinks());
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.OpenVPN;
  }

  /** TLS handshakes on the server's own TLS context ({@link OpenVpnWarmup}). */
  @Override
  public int warmUp(int handshakes, long deadlineNanos) throws Exception {
    return OpenVpnWarmup.run(server.tls(), handshakes, deadlineNanos);
  }

  /**
   * Off unless asked ({@code -Dvpngw.warmup.openvpn=true}): with the real openvpn 2.6 client, the
   * first 150 connects cost the same server CPU with and without the 500 in-memory handshakes
   * (30.8 vs 31.3 ms per connect, as many methods still C2-compiled on the real path), which
   * cost 7-8 s of CPU and 11-14 s of readiness at start-up (gateway-image/BENCHMARKS.md,
   * "OpenVPN warm-up A/B").
   */
  @Override
  public boolean warmUpByDefault() {
    return false;
  }

  @Override
  public void start() throws IOException {
    server.start();
    if (tcpPort >= 0) {
      tcp = tcpPorts.register(tcpPort, new TcpHandler());
    }
  }

  /** OpenVPN over TCP on a shared port: a stream that starts with a client hard reset. */
  private final class TcpHandler implements TcpProtocolHandler {
    @Override
    public String name() {
      return "openvpn";
    }

    @Override
    public Match match(ByteBuffer firstBytes) {
      return FirstBytes.openVpnClientReset(firstBytes);
    }

    @Override
    public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws IOException {
      server.tcp().adopt(channel, firstBytes);
    }
  }

  /**
   * Routes, DNS, timers, crypto policy and the server certificate apply to new sessions at once
   * (see {@link OpenVpnSettingsMapper#reloaded}); what was bound at start stays. Live sessions
   * whose login the reloaded authentication settings no longer admit end at once with RESTART
   * ({@link OpenVpnServer#endSessionsNoLongerAdmitted}), not at their next renegotiation.
   */
  @Override
  public void apply(RuntimeConfig next) {
    try {
      server.updateSettings(OpenVpnSettingsMapper.reloaded(server.settings(), startedWith, next));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      LOG.warning(
          "the reloaded config cannot be applied to the OpenVPN server ("
              + e.getMessage()
              + "); new sessions keep the previous settings");
    }
    server.endSessionsNoLongerAdmitted();
  }

  @Override
  public List<Endpoint> endpoints() {
    List<Endpoint> endpoints = new ArrayList<>();
    server.udpAddress().ifPresent(a -> endpoints.add(new Endpoint("udp", a)));
    if (tcp != null) {
      tcp.address().ifPresent(a -> endpoints.add(new Endpoint("tcp", a)));
    }
    return endpoints;
  }

  /** The OpenVPN server's drops (before a packet reaches a session) by reason. */
  @Override
  public Map<String, Long> droppedPackets() {
    OpenVpnServerStats s = server.stats();
    return Map.ofEntries(
        Map.entry("Malformed", s.malformedDropped.sum()),
        Map.entry("AuthenticationFailed", s.authenticationDropped.sum()),
        Map.entry("Replay", s.replayDropped.sum()),
        Map.entry("UnknownSession", s.unknownSessionDropped.sum()),
        Map.entry("HandshakeRateLimited", s.rateLimitedHandshakes.sum()),
        Map.entry("DuplicateReset", s.duplicateResetsDropped.sum()),
        Map.entry("TcpSendQueueFull", s.tcpSendQueueDropped.sum()),
        Map.entry("TcpConnectionRefused", s.tcpConnectionsRefused.sum()),
        Map.entry("ControlQueueFull", s.controlQueueDropped.sum()),
        Map.entry("SealFailed", s.sealFailed.sum()),
        Map.entry("InternalError", s.internalErrors.sum()));
  }

  @Override
  public void collectMetrics(PrometheusTextWriter w) {
    w.family(
        "vpngw_openvpn_renegotiations_total", "counter", "OpenVPN data-channel key renegotiations.");
    w.sample("vpngw_openvpn_renegotiations_total", server.stats().renegotiations.sum());
  }

  /** The server itself (tests, the shared TCP port's hand-off). */
  public OpenVpnServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
  }
}
