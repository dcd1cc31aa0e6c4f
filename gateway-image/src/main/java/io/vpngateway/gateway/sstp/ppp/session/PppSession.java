package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.PppFrame;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.net.Inet4Address;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The server side of one PPP link in user space (RFC 1661 section 3, phase diagram): LCP, then
 * the authentication method LCP agreed on, then IPCP, then IPv4. Each sub-protocol is its own
 * machine; this class only moves the link through the phases and routes frames by protocol.
 *
 * <pre>
 *   ESTABLISH (LCP) ──UP──▶ AUTHENTICATE (MS-CHAPv2 | EAP) ──success──▶ NETWORK (IPCP) ──UP──▶ IPv4
 *        │                        │ failure                               │
 *        └── Terminate/failure ───┴──────────────▶ DEAD ◀─────────────────┘ Terminate / LCP down
 * </pre>
 *
 * Frames of another phase are dropped (RFC 1661 section 3.4 to 3.6); frames of a protocol the
 * server does not run (CCP, IPv6CP, ...) are Protocol-Rejected once LCP is open. Restart timers
 * are driven by {@link #tick} (the owner calls it about once a second). Not thread-safe: the owner
 * serialises every call.
 */
public final class PppSession {
  static final long RESTART_NANOS = TimeUnit.SECONDS.toNanos(3);

  /** What the SSTP layer provides to a PPP session and learns from it. */
  public interface Host {
    /** Sends one PPP frame (Address/Control and Protocol fields included). */
    void sendFrame(byte[] frame);

    /**
     * Authentication succeeded: returns the client's address and the gateway's on the link, or
     * null to refuse the session (pool exhausted, admission refused); the host reports why.
     */
    LinkAddresses authenticated(AuthResult result);

    /** IPCP is open: the client has its address and IPv4 may flow. */
    void networkUp();

    /** One IPv4 packet from the client, in {@code buf[offset, offset + length)}. */
    void ipv4FromClient(byte[] buf, int offset, int length);

    /** The link is dead (terminated, failed, refused); called once. */
    void finished(String reason);
  }

  /**
   * The IPCP addresses of one link.
   *
   * @param client the address the client gets (from the pool)
   * @param gateway the gateway's address on the link (the pool's gateway address), or null
   */
  public record LinkAddresses(Inet4Address client, Inet4Address gateway) {}

  /** Fixed inputs of a session. */
  public record Settings(List<PppAuthMethod> authMethods, int mru, List<Inet4Address> dns) {
    public Settings {
      authMethods = List.copyOf(authMethods);
      dns = List.copyOf(dns);
    }
  }

  enum Phase {
    ESTABLISH,
    AUTHENTICATE,
    NETWORK,
    DEAD
  }

  private final Settings settings;
  private final Host host;
  private final Function<PppAuthMethod, PppAuthStateMachine> authFactory;
  private final LcpStateMachine lcp;
  private final LongCounter counters;
  private PppAuthStateMachine auth;
  private IpcpStateMachine ipcp;
  private Phase phase = Phase.ESTABLISH;
  private long lastSentNanos;

  /** Counters the owner reads for metrics (dropped frames by reason). */
  public static final class LongCounter {
    private long malformed;
    private long wrongPhase;
    private long protocolRejected;

    public long malformed() {
      return malformed;
    }

    public long wrongPhase() {
      return wrongPhase;
    }

    public long protocolRejected() {
      return protocolRejected;
    }
  }

  public PppSession(
      Settings settings,
      SecureRandom random,
      Function<PppAuthMethod, PppAuthStateMachine> authFactory,
      Host host) {
    this.settings = settings;
    this.host = host;
    this.authFactory = authFactory;
    this.counters = new LongCounter();
    this.lcp = new LcpStateMachine(settings.authMethods(), settings.mru(), random, this::send);
  }

  /**
   * Builds the authenticator for each method from its backend: MS-CHAPv2 checked by {@code
   * msChapV2}, EAP relayed to the backend {@code eap} opens (each called on the session's thread).
   */
  public static Function<PppAuthMethod, PppAuthStateMachine> authenticators(
      MsChapV2Verifier msChapV2,
      java.util.function.Supplier<EapBackend> eap,
      java.net.InetSocketAddress client,
      SecureRandom random,
      java.util.function.BiConsumer<Integer, byte[]> sender) {
    return method ->
        method == PppAuthMethod.EAP
            ? new EapRelayStateMachine(eap.get(), sender)
            : new MsChapV2StateMachine(msChapV2, client, random, sender);
  }

  /**
   * The EAP backend of one session as the relay machine drives it: synchronously on the
   * session's thread, the backend's next step for begin or for one peer packet.
   */
  public interface EapBackend {
    io.vpngateway.gateway.auth.EapConversation.Step begin();

    io.vpngateway.gateway.auth.EapConversation.Step receive(byte[] eapPacket);

    /** Abandons the conversation (idempotent). */
    void close();
  }

  public void start() {
    lcp.start();
  }

  public LongCounter counters() {
    return counters;
  }

  Phase phase() {
    return phase;
  }

  public boolean isDead() {
    return phase == Phase.DEAD;
  }

  /** Whether IPv4 may flow (IPCP open). */
  public boolean networkOpen() {
    return phase == Phase.NETWORK && ipcp != null && ipcp.isOpen();
  }

  /** The largest frame the client accepts (its MRU). */
  public int peerMru() {
    return lcp.peerMru();
  }

  /** Sends a control packet of {@code protocol} (used by the sub-machines). */
  void send(int protocol, byte[] packet) {
    lastSentNanos = System.nanoTime();
    host.sendFrame(PppFrame.encode(protocol, packet));
  }

  /** Handles one PPP frame from the client. */
  public void receive(byte[] buf, int offset, int length) {
    if (phase == Phase.DEAD) {
      return;
    }
    try {
      PppFrame frame = PppFrame.parse(buf, offset, length);
      dispatch(frame.protocol(), buf, frame.offset(), frame.length());
    } catch (MalformedPppException e) {
      counters.malformed++;
    }
  }

  private void dispatch(int protocol, byte[] buf, int offset, int length)
      throws MalformedPppException {
    if (protocol == PppProtocol.IPV4) {
      if (networkOpen()) {
        host.ipv4FromClient(buf, offset, length);
      } else {
        counters.wrongPhase++;
      }
      return;
    }
    if (protocol == PppProtocol.LCP) {
      lcpEvent(lcp.receive(buf, offset, length));
      return;
    }
    if (!lcp.isOpen()) {
      counters.wrongPhase++; // RFC 1661 section 3.4: only LCP before the link is established
      return;
    }
    if (protocol == lcp.auth().protocol()) {
      if (phase == Phase.AUTHENTICATE) {
        authResult(auth.receive(protocol, buf, offset, length));
      } else if (auth != null) {
        auth.receive(protocol, buf, offset, length); // a retransmission after the verdict
      }
      return;
    }
    if (protocol == PppProtocol.IPCP) {
      if (phase == Phase.NETWORK) {
        ipcpEvent(ipcp.receive(buf, offset, length));
      } else {
        counters.wrongPhase++;
      }
      return;
    }
    counters.protocolRejected++;
    lcp.protocolReject(protocol, buf, offset, length);
  }

  /** Drives the restart timers (RFC 1661 section 4.6); call about once a second. */
  public void tick(long nowNanos) {
    if (phase == Phase.DEAD || nowNanos - lastSentNanos < RESTART_NANOS) {
      return;
    }
    if (lcp.awaitingAnswer()) {
      lcpEvent(lcp.timeout());
    } else if (phase == Phase.AUTHENTICATE && auth.awaitingAnswer()) {
      authResult(auth.timeout());
    } else if (phase == Phase.NETWORK && ipcp.awaitingAnswer()) {
      ipcpEvent(ipcp.timeout());
    }
  }

  /** Ends the link from our side (revocation, disconnect, shutdown): LCP Terminate-Request. */
  public void terminate(String reason) {
    if (phase != Phase.DEAD) {
      lcp.terminate(reason);
      die(reason);
    }
  }

  private void lcpEvent(CpNegotiation.Event event) {
    switch (event) {
      case UP -> {
        if (phase == Phase.ESTABLISH) {
          phase = Phase.AUTHENTICATE;
          auth = authFactory.apply(lcp.auth());
          authResult(auth.start());
        }
      }
      case DOWN -> terminate("LCP renegotiation after the link was up is not supported");
      case FINISHED -> die(lcp.finishReason());
      default -> {}
    }
  }

  private void authResult(AuthResult result) {
    if (result == null || phase != Phase.AUTHENTICATE) {
      return;
    }
    if (!result.succeeded()) {
      terminate(result.failure());
      return;
    }
    LinkAddresses addresses = host.authenticated(result);
    if (addresses == null) {
      terminate("no address for the client");
      return;
    }
    phase = Phase.NETWORK;
    ipcp =
        new IpcpStateMachine(
            addresses.gateway(), addresses.client(), settings.dns(), this::send);
    ipcp.start();
  }

  private void ipcpEvent(CpNegotiation.Event event) {
    switch (event) {
      case UP -> host.networkUp();
      case DOWN -> terminate("IPCP renegotiation after the network was up is not supported");
      case FINISHED -> terminate(ipcp.finishReason());
      default -> {}
    }
  }

  private void die(String reason) {
    if (phase != Phase.DEAD) {
      phase = Phase.DEAD;
      host.finished(reason);
    }
  }
}
