package io.vpngateway.gateway.sstp;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.portshare.FirstBytes;
import io.vpngateway.gateway.portshare.SharedTcpPorts;
import io.vpngateway.gateway.portshare.TcpProtocolHandler;
import io.vpngateway.gateway.protocol.Endpoint;
import io.vpngateway.gateway.protocol.ProtocolContext;
import io.vpngateway.gateway.protocol.ProtocolServer;
import io.vpngateway.gateway.sstp.ppp.session.PppAuthMethod;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * SSTP as one of the gateway's {@link ProtocolServer}s: maps the config onto {@link
 * SstpServerSettings} and drives an {@link SstpServer} whose clients are admitted through the
 * gateway's admission (the pipeline's MS-CHAPv2 backend, the connection budget, refusals).
 *
 * <p>Port: {@code listen.sstp} (443 by default), one of the gateway's shared TCP ports: TLS
 * connections reach SSTP, OpenVPN-over-TCP ones on the same port reach OpenVPN ({@code
 * portshare.SharedTcpPorts} tells them apart by their first bytes).
 */
public final class SstpProtocolServer implements ProtocolServer {
  private static final Logger LOG = Logger.getLogger(SstpProtocolServer.class.getName());

  private final ProtocolContext context;
  private final SstpServer server;
  private SharedTcpPorts.Registration tcp;

  /**
   * The server binds no listener of its own: its port is one of the gateway's shared TCP ports,
   * where TLS connections (a ClientHello) reach it and OpenVPN's reach OpenVPN.
   */
  public SstpProtocolServer(ProtocolContext context) throws GeneralSecurityException {
    this.context = context;
    this.server =
        new SstpServer(
            SstpSettingsMapper.settings(
                context.config(),
                null,
                context.connectionShare(),
                context.tunMtu(),
                authMethods(context)),
            context.admission(),
            context.allocator(),
            context.sessions(),
            context.sinks());
  }

  /**
   * The PPP methods the gateway's authentication can back: MS-CHAPv2 with an MS-CHAPv2 backend
   * (RADIUS), EAP with an EAP backend (the RADIUS relay, or the gateway's own EAP-TLS server when
   * it authenticates by certificate without RADIUS); MS-CHAPv2 alone when neither is configured
   * (clients are then refused with AuthMethodNotSupported, which at least tells them why).
   */
  static List<PppAuthMethod> authMethods(ProtocolContext context) {
    var auth = context.admission().authentication();
    List<PppAuthMethod> methods = new java.util.ArrayList<>();
    if (auth.msChapV2().isPresent()) {
      methods.add(PppAuthMethod.MSCHAPV2);
    }
    if (auth.eap().isPresent()) {
      methods.add(PppAuthMethod.EAP);
    }
    return methods.isEmpty() ? List.of(PppAuthMethod.MSCHAPV2) : methods;
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.SSTP;
  }

  @Override
  public void start() throws IOException {
    server.start();
    if (context.listen().sstp() >= 0) {
      tcp = context.tcpPorts().register(context.listen().sstp(), new TlsHandler());
    }
    var auth = context.admission().authentication();
    if (auth.msChapV2().isEmpty() && !eapOnNow(auth)) {
      LOG.warning(
          "SSTP: neither MS-CHAPv2 nor EAP can admit a client under this authentication"
              + " (MS-CHAPv2 needs authentication.radius, EAP RADIUS or certificate"
              + " authentication): every SSTP client will be refused");
    }
  }

  /**
   * Whether an EAP login may start now (a backend, and on: the local EAP-TLS server is there from
   * the start even while certificate authentication is off).
   */
  private static boolean eapOnNow(io.vpngateway.gateway.auth.AuthenticationPipeline auth) {
    try {
      auth.eapAlone();
      return true;
    } catch (io.vpngateway.gateway.auth.AuthenticationException e) {
      return false;
    }
  }

  /** SSTP on a shared TCP port: a connection that starts with a TLS ClientHello. */
  private final class TlsHandler implements TcpProtocolHandler {
    @Override
    public String name() {
      return "sstp";
    }

    @Override
    public Match match(ByteBuffer firstBytes) {
      return FirstBytes.tlsClientHello(firstBytes);
    }

    @Override
    public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws IOException {
      server.adopt(channel, firstBytes);
    }
  }

  /** Takes a TLS connection the shared-port demultiplexer accepted (see {@link SstpServer#adopt}). */
  public void adopt(SocketChannel channel, ByteBuffer alreadyRead) throws IOException {
    server.adopt(channel, alreadyRead);
  }

  /**
   * Server certificate, TLS policy and DNS apply to new connections; live sessions whose login the
   * reloaded authentication settings no longer admit end with LCP Terminate and Call Disconnect
   * ({@link io.vpngateway.gateway.admission.Admission#endSessionsNoLongerAdmitted}), the others
   * keep running untouched.
   */
  @Override
  public void apply(RuntimeConfig next) {
    context.admission().endSessionsNoLongerAdmitted(context.sessions(), VpnProtocol.SSTP);
    try {
      server.update(
          SstpSettingsMapper.settings(
              next,
              server.settings().listen(),
              server.settings().maxConnections(),
              context.tunMtu(),
              server.settings().authMethods()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      LOG.warning(
          "the reloaded config cannot be applied to the SSTP server ("
              + e.getMessage()
              + "); new connections keep the previous settings");
    }
  }

  @Override
  public List<Endpoint> endpoints() {
    return tcp == null
        ? List.of()
        : tcp.address().map(a -> List.of(new Endpoint("tcp", a))).orElse(List.of());
  }

  @Override
  public Map<String, Long> droppedPackets() {
    SstpServerStats s = server.stats();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("ConnectionRefused", s.connectionsRefused.sum());
    m.put("TlsFailed", s.tlsFailures.sum());
    m.put("NotSstpRequest", s.notSstpRequests.sum());
    m.put("SlowClient", s.slowClients.sum());
    m.put("ProtocolError", s.protocolErrors.sum());
    m.put("CryptoBindingFailed", s.bindingFailures.sum());
    m.put("PppFrameDropped", s.pppFramesDropped.sum());
    m.put("ControlFlood", s.controlFloods.sum());
    m.put("SendQueueFull", s.sendQueueDropped.sum());
    return m;
  }

  @Override
  public void collectMetrics(PrometheusTextWriter w) {
    w.family("vpngw_sstp_connections", "gauge", "Open SSTP connections, with a session or not.");
    w.sample("vpngw_sstp_connections", server.connections());
  }

  public SstpServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
  }
}
