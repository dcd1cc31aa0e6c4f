package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The engine in-process: a transport that records what it would send, a real PKIX authenticator
 * with a test CA, the real pool allocator and session registry, and a sink that records inner
 * packets instead of writing to TUN.
 */
final class EngineHarness implements AutoCloseable {
  record Sent(byte[] bytes, InetSocketAddress to, boolean natT, boolean esp) {}

  static final InetSocketAddress GATEWAY = new InetSocketAddress("192.0.2.1", 500);
  static final List<String> IKE = List.of("aes256gcm16-prfsha384-ecp384", "aes256-sha256-modp2048");
  static final List<String> ESP = List.of("aes256gcm16", "aes256-sha256");

  final CertificateAuthority ca = CertificateAuthority.create("test", KeySpec.EC_P256,
      Instant.now());
  final IssuedCertificate server;
  final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
  final BlockingQueue<byte[]> toTun = new LinkedBlockingQueue<>();
  final SessionRegistry registry = new SessionRegistry();
  final Ikev2Stats stats = new Ikev2Stats();
  final PkixCertificateAuthenticator authenticator;
  final GatewayMetrics metrics = new GatewayMetrics(registry);
  final IkeEngine engine;
  /** RADIUS (the EAP relay's password backend) on in the running config; a test's reload flips it. */
  volatile boolean radiusOn = true;
  /** The thread that sent the last IKE message (inline on a receive thread or the control thread). */
  volatile Thread lastIkeSender;

  EngineHarness(UnaryOperator<Ikev2Policy> tweak) {
    this(tweak, KeySpec.EC_P256);
  }

  EngineHarness(UnaryOperator<Ikev2Policy> tweak, KeySpec serverKey) {
    this(tweak, serverKey, null);
  }

  EngineHarness(UnaryOperator<Ikev2Policy> tweak, KeySpec serverKey,
      io.vpngateway.gateway.auth.EapAuthenticator eap) {
    server =
        ca.issueServerCertificate(
            new ServerCertificateRequest("vpn.example.com", List.of("vpn.example.com"),
                List.of(), serverKey, ServerCertificateRequest.DEFAULT_VALIDITY),
            Instant.now());
    authenticator =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(List.of(ca.certificate()), List.of(), List.of()));
    Ikev2Policy policy =
        tweak.apply(
            new Ikev2Policy(
                Ikev2Policy.ike(IKE),
                Ikev2Policy.esp(ESP),
                List.of(server.certificate()),
                server.privateKey(),
                List.of(ca.certificate()),
                List.of("10.96.0.0/12"),
                false,
                List.of("10.96.0.10"),
                List.of("corp.example"),
                Duration.ofHours(8),
                Duration.ofHours(7),
                0,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                16,
                8,
                1000,
                1248,
                100));
    IkeTransport transport =
        new IkeTransport() {
          @Override
          public void sendIke(byte[] message, InetSocketAddress to, boolean natT) {
            lastIkeSender = Thread.currentThread();
            sent.add(new Sent(message.clone(), to, natT, false));
          }

          @Override
          public Peer peer(InetSocketAddress address) {
            return () -> address;
          }

          @Override
          public void sendEsp(ByteBuffer packet, Peer to) {
            byte[] b = new byte[packet.remaining()];
            packet.duplicate().get(b);
            sent.add(new Sent(b, to.address(), true, true));
          }
        };
    engine =
        new IkeEngine(
            policy,
            transport,
            new Admission(
                eap == null
                    ? AuthenticationPipeline.builder().certificates(authenticator).build()
                    // as RADIUS gives the gateway's pipeline: its EAP relay comes with its
                    // password backend, which is what lets a client in without a certificate
                    : AuthenticationPipeline.builder().certificates(authenticator).eap(eap)
                        .password(new io.vpngateway.gateway.auth.PasswordAuthenticator() {
                          @Override
                          public boolean active() {
                            return radiusOn;
                          }

                          @Override
                          public java.util.concurrent.CompletableFuture<
                                  io.vpngateway.gateway.auth.AuthResult>
                              authenticate(
                                  java.util.Optional<io.vpngateway.gateway.auth.PasswordCredential>
                                      credential,
                                  io.vpngateway.gateway.auth.ClientInfo client) {
                            return java.util.concurrent.CompletableFuture.completedFuture(
                                io.vpngateway.gateway.auth.AuthResult.refused(
                                    io.vpngateway.gateway.auth.RefusalReason.CREDENTIALS_MISSING,
                                    "no passwords in this harness"));
                          }
                        })
                        .build(),
                policy.maxSessions(),
                metrics),
            GroupAwareAddressAllocator.forReplica(
                List.of(PoolSpec.of("10.203.0.0/24", 0)), List.of(VpnProtocol.IKEv2), 1, 0),
            registry,
            address -> packet -> {
              byte[] b = new byte[packet.remaining()];
              packet.get(b);
              toTun.add(b);
            },
            stats,
            4096);
    engine.start();
  }

  IssuedCertificate client(String name, KeySpec key) {
    return ca.issueClientCertificate(
        ClientCertificateRequest.of(name, List.of("engineering"), Duration.ofDays(30), key),
        Instant.now());
  }

  /** Sends a datagram and returns the first IKE message sent back within 5 s, or null. */
  byte[] exchange(byte[] message, InetSocketAddress from, boolean natT) throws Exception {
    engine.submit(message, from, natT);
    return nextIke(5000);
  }

  byte[] nextIke(long millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      Sent s = sent.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (s == null) {
        return null;
      }
      if (!s.esp()) {
        return s.bytes();
      }
    }
  }

  /** All IKE messages sent within {@code millis}. */
  List<byte[]> drainIke(long millis) throws Exception {
    List<byte[]> out = new ArrayList<>();
    byte[] m;
    while ((m = nextIke(millis)) != null) {
      out.add(m);
    }
    return out;
  }

  /** Waits until the control thread has handled everything submitted so far. */
  void sync() throws Exception {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    engine.afterQueuedDatagrams(done::countDown);
    if (!done.await(5, TimeUnit.SECONDS)) {
      throw new AssertionError("the control thread is stuck");
    }
  }

  @Override
  public void close() {
    engine.close();
  }
}
