package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.WarmupIdentity;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Start-up warm-up of the IKEv2 responder: complete handshakes (IKE_SA_INIT, IKE_AUTH with an
 * ECDSA client certificate and RFC 7427 signatures both ways, the CHILD_SA, then the client's
 * Delete) against a throwaway {@link IkeEngine} in memory, so that the JIT has compiled the
 * responder's code before the first real client arrives, instead of charging its compilation to
 * the first few hundred clients of a restarted pod.
 *
 * <p>The throwaway engine runs the production classes on the gateway's own policy (its preferred
 * IKE and ESP proposal, its server certificate and key, so its signature algorithm), with its own
 * admission, PKIX authenticator, address pool, session registry and metrics on a throwaway CA:
 * nothing of it is visible to the real gateway (no session, address, metric or refusal), and no
 * packet leaves the process.
 */
public final class Ikev2Warmup {
  private static final InetSocketAddress GATEWAY = new InetSocketAddress("192.0.2.1", 4500);

  private Ikev2Warmup() {}

  /**
   * Runs up to {@code handshakes} handshakes, stopping early at {@code deadlineNanos}
   * ({@link System#nanoTime}).
   *
   * @param policy the production policy (proposals, server certificate and key are used)
   * @param ikeProposal the IKE proposal the warm-up client offers (strongSwan notation)
   * @param espProposal the ESP proposal it offers
   * @return the handshakes completed
   * @throws Exception when a handshake fails: the warm-up's caller logs it and goes on
   */
  public static int run(
      Ikev2Policy policy,
      String ikeProposal,
      String espProposal,
      int handshakes,
      long deadlineNanos)
      throws Exception {
    return run(
        policy, ikeProposal, espProposal, handshakes, deadlineNanos, address -> () -> address);
  }

  /**
   * As {@link #run(Ikev2Policy, String, String, int, long)}, with the in-memory transport's peers
   * made by {@code peers}: the production transport's peer type, so that the code compiled here
   * stays valid when real clients arrive (a second implementor loaded later invalidates code the
   * JIT compiled for one).
   */
  public static int run(
      Ikev2Policy policy,
      String ikeProposal,
      String espProposal,
      int handshakes,
      long deadlineNanos,
      Function<InetSocketAddress, IkeTransport.Peer> peers)
      throws Exception {
    if (handshakes <= 0) {
      return 0;
    }
    WarmupIdentity identity = WarmupIdentity.create();
    CertificateAuthority ca = identity.ca();
    IssuedCertificate client = identity.client();
    PkixCertificateAuthenticator authenticator = identity.authenticator();
    SessionRegistry registry = new SessionRegistry();
    Ikev2Policy throwaway =
        new Ikev2Policy(
            policy.ikeProposals(), policy.espProposals(), policy.serverChain(),
            policy.serverKey(), List.of(ca.certificate()), policy.routes(),
            policy.forceTunnel(), policy.dnsServers(), policy.searchDomains(),
            policy.ikeLifetime(), policy.childLifetime(), policy.childLifetimeBytes(),
            policy.dpdDelay(), policy.dpdTimeout(), policy.halfOpenTimeout(), 64, 64, 1000,
            policy.fragmentSize(), 16);
    BlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    IkeTransport transport =
        new IkeTransport() {
          @Override
          public void sendIke(byte[] message, InetSocketAddress to, boolean natT) {
            answers.add(message.clone());
          }

          @Override
          public Peer peer(InetSocketAddress address) {
            return peers.apply(address);
          }

          @Override
          public void sendEsp(ByteBuffer packet, Peer to) {
            // no data packets in a warm-up
          }
        };
    IkeEngine engine =
        new IkeEngine(
            throwaway,
            transport,
            new Admission(
                AuthenticationPipeline.builder().certificates(authenticator).build(),
                16,
                new GatewayMetrics(registry)),
            GroupAwareAddressAllocator.forReplica(
                List.of(PoolSpec.of("10.255.255.0/24", 0)), List.of(VpnProtocol.IKEv2), 1, 0),
            registry,
            address -> packet -> packet.position(packet.limit()),
            new Ikev2Stats(),
            64);
    DhGroup group = ProposalPolicy.ike(ikeProposal).dhGroups().get(0);
    List<String> ike = List.of(ikeProposal);
    List<String> esp = List.of(espProposal);
    engine.start();
    int done = 0;
    try {
      while (done < handshakes && System.nanoTime() - deadlineNanos < 0) {
        InetSocketAddress from =
            new InetSocketAddress("198.51.100." + (1 + done % 200), 1024 + done % 60000);
        LoopbackInitiator c = new LoopbackInitiator(from, GATEWAY, ike);
        byte[] answer = exchange(engine, answers, c.initRequest(group, null, false), from,
            deadlineNanos);
        if (answer == null) {
          break; // out of time (a starved start-up): what was done is kept
        }
        IkeMessage init = c.onInitResponse(answer);
        if (init.firstError().isPresent() || c.protector == null) {
          throw new IllegalStateException("the warm-up engine refused IKE_SA_INIT: "
              + init.firstError().map(Object::toString).orElse("no keys"));
        }
        answer = exchange(engine, answers,
            c.request(ExchangeType.IKE_AUTH, c.authPayloads(client, esp)), from, deadlineNanos);
        if (answer == null) {
          break;
        }
        IkeMessage auth = c.open(answer);
        if (auth.firstError().isPresent()) {
          throw new IllegalStateException(
              "the warm-up engine refused IKE_AUTH: " + auth.firstError().get());
        }
        answer = exchange(engine, answers,
            c.request(ExchangeType.INFORMATIONAL, List.of(DeletePayload.ikeSa())), from,
            deadlineNanos);
        if (answer == null) {
          break;
        }
        c.open(answer);
        done++;
      }
    } finally {
      engine.close();
    }
    return done;
  }

  /** The engine's answer to {@code request}, or null when none came before the deadline. */
  private static byte[] exchange(
      IkeEngine engine,
      BlockingQueue<byte[]> answers,
      byte[] request,
      InetSocketAddress from,
      long deadlineNanos)
      throws InterruptedException {
    engine.submit(request, from, true);
    return answers.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }
}
