package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admission part of an OpenVPN session, against a stand-in server (no socket, no TLS). */
class SessionAdmissionTest {
  private static final CertificateAuthority CA =
      CertificateAuthority.create("adm", KeySpec.EC_P256, Instant.now());
  private static final X509Certificate[] CHAIN = {CA.certificate()};
  private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.8", 5000);

  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final List<Runnable> controlThread = new ArrayList<>();
  private final AtomicInteger leasesOut = new AtomicInteger();
  private boolean poolEmpty;
  private ClientIdentity certificateIdentity =
      new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "aa", null);
  private CompletableFuture<AuthResult> passwordAnswer;

  private final AddressAllocator allocator =
      (client, protocol) -> {
        if (poolEmpty) {
          return Optional.empty();
        }
        leasesOut.incrementAndGet();
        return Optional.of(
            new AddressLease(
                (Inet4Address) address("10.9.0.2"),
                24,
                (Inet4Address) address("10.9.0.1"),
                leasesOut::decrementAndGet));
      };

  private Admission admission(int capacity) {
    AuthenticationPipeline.Builder b =
        AuthenticationPipeline.builder().certificates(chain -> certificateIdentity);
    if (passwordAnswer != null) {
      b.password((credential, client) -> passwordAnswer);
    }
    return new Admission(b.build(), capacity, metrics);
  }

  private static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A session whose inner address is the admission's lease, as OpenVpnClientSession's is. */
  private final class Session implements TunnelSession {
    SessionAdmission admission;

    @Override
    public String id() {
      return "ovpn-t";
    }

    @Override
    public VpnProtocol protocol() {
      return VpnProtocol.OpenVPN;
    }

    @Override
    public ClientIdentity identity() {
      return admission.identity();
    }

    @Override
    public Inet4Address innerAddress() {
      return admission.lease().address();
    }

    @Override
    public InetSocketAddress outerAddress() {
      return REMOTE;
    }

    @Override
    public Instant since() {
      return Instant.EPOCH;
    }

    @Override
    public String cipher() {
      return "";
    }

    @Override
    public long bytesIn() {
      return 0;
    }

    @Override
    public long bytesOut() {
      return 0;
    }

    @Override
    public void deliverFromTun(ByteBuffer ipPacket) {}

    @Override
    public void close(String reason) {}
  }

  private SessionAdmission newAdmission(Admission gatewayAdmission) throws Exception {
    OpenVpnServerSettings settings =
        OpenVpnServerSettings.builder()
            .serverCredentials(List.of(CA.certificate()), io.vpngateway.api.pki.Pem.decodePrivateKey(CA.privateKeyPem()))
            .dataCiphers(List.of(DataCipherSuite.CHACHA20_POLY1305, DataCipherSuite.AES_256_GCM))
            .build();
    SessionHost host =
        new SessionHost() {
          @Override
          public OpenVpnServerSettings settings() {
            return settings;
          }

          @Override
          public io.vpngateway.gateway.tls.ServerTlsContext tls() {
            throw new UnsupportedOperationException();
          }

          @Override
          public Admission admission() {
            return gatewayAdmission;
          }

          @Override
          public AddressAllocator allocator() {
            return allocator;
          }

          @Override
          public SessionRegistry registry() {
            return registry;
          }

          @Override
          public InnerPacketSink sinkFor(Inet4Address clientAddress) {
            return p -> {};
          }

          @Override
          public OpenVpnServerStats stats() {
            return new OpenVpnServerStats();
          }

          @Override
          public void runOnControlThread(Runnable task) {
            controlThread.add(task);
          }

          @Override
          public void floated(OpenVpnClientSession session, InetSocketAddress oldRemote) {}

          @Override
          public void authenticated(OpenVpnClientSession session) {}

          @Override
          public void established(OpenVpnClientSession session) {}

          @Override
          public void closed(OpenVpnClientSession session) {}
        };
    Session session = new Session();
    session.admission = new SessionAdmission(host, session, () -> REMOTE);
    return session.admission;
  }

  private static KeyMethod2Client keyMethod(String ciphers, String password) {
    return new KeyMethod2Client(
        new byte[48],
        new byte[32],
        new byte[32],
        "V4",
        password.isEmpty() ? "" : "alice",
        password,
        PeerInfo.parse("IV_VER=2.6.14\nIV_PROTO=990\nIV_CIPHERS=" + ciphers + "\n"));
  }

  private Optional<RefusalReason> admitNow(SessionAdmission a, KeyMethod2Client km) {
    CompletableFuture<Optional<RefusalReason>> d = a.admit(CHAIN, km, () -> false);
    assertTrue(d.isDone(), "certificates decide at once");
    return d.join();
  }

  @Test
  void anAdmittedClientHoldsAConnectionAnAddressAndItsRegistration() throws Exception {
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    assertEquals(Optional.empty(), admitNow(a, keyMethod("AES-256-GCM:AES-128-GCM", "")));
    assertEquals("alice", a.identity().name());
    assertEquals(DataCipherSuite.AES_256_GCM, a.cipher(), "server order among the client's");
    assertEquals(1, registry.size());
    assertEquals(1, gateway.inUse());
    assertEquals(1, leasesOut.get());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));

    a.release(RefusalReason.INTERNAL_ERROR, "closing");
    a.release(RefusalReason.INTERNAL_ERROR, "closing twice");
    assertEquals(0, registry.size());
    assertEquals(0, gateway.inUse());
    assertEquals(0, leasesOut.get());
    assertEquals(List.of(), gateway.refusals().recent(), "an admitted session is no refusal");
  }

  @Test
  void refusalsAfterAuthenticationGiveEverythingBack() throws Exception {
    Admission gateway = admission(5);
    assertEquals(
        Optional.of(RefusalReason.NO_COMMON_CIPHER),
        admitNow(newAdmission(gateway), keyMethod("BF-CBC", "")));
    poolEmpty = true;
    assertEquals(
        Optional.of(RefusalReason.ADDRESS_POOL_EXHAUSTED),
        admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(0, gateway.inUse());
    assertEquals(
        List.of("NoCommonCipher", "AddressPoolExhausted"),
        gateway.refusals().recent().stream().map(r -> r.reason()).toList());
  }

  @Test
  void theBudgetIsTheGatewaysNotTheServers() throws Exception {
    Admission gateway = admission(1);
    assertEquals(Optional.empty(), admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(
        Optional.of(RefusalReason.MAX_CONNECTIONS_REACHED),
        admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(1, leasesOut.get(), "the refused client got no address");
  }

  @Test
  void aLaterAnswerIsTakenOnTheControlThread() throws Exception {
    passwordAnswer = new CompletableFuture<>();
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        a.admit(CHAIN, keyMethod("AES-256-GCM", "secret"), () -> false);
    assertFalse(d.isDone());

    Thread backend =
        new Thread(
            () ->
                passwordAnswer.complete(
                    AuthResult.accepted(
                        ClientIdentity.of("alice", List.of("vpn"), AuthMethod.RADIUS, "r"))));
    backend.start();
    backend.join();
    assertFalse(d.isDone(), "nothing happens off the control thread");
    assertEquals(1, controlThread.size());
    controlThread.remove(0).run();

    assertEquals(Optional.empty(), d.join());
    assertEquals(AuthMethod.RADIUS, a.identity().method());
    assertEquals("aa", a.identity().certificateSha256(), "bound to the certificate too");
    assertEquals(1, gateway.inUse());
  }

  @Test
  void aSessionThatEndsWhileWaitingIsRefusedOnceAndALateAnswerIgnored() throws Exception {
    passwordAnswer = new CompletableFuture<>();
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        a.admit(CHAIN, keyMethod("AES-256-GCM", "secret"), () -> false);
    a.release(RefusalReason.AUTH_TIMEOUT, "no answer");
    passwordAnswer.complete(
        AuthResult.accepted(ClientIdentity.of("alice", List.of(), AuthMethod.RADIUS, "r")));
    controlThread.forEach(Runnable::run);

    assertEquals(Optional.of(RefusalReason.AUTH_TIMEOUT), d.join());
    assertEquals(0, gateway.inUse());
    assertEquals(0, leasesOut.get());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "AuthTimeout"));
    assertEquals(0, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));
  }

  @Test
  void aRenegotiationMayRenewTheCertificateButNotChangeWhoOrWhichGroups() throws Exception {
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    KeyMethod2Client km = keyMethod("AES-256-GCM", "");
    admitNow(a, km);
    certificateIdentity =
        new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "bb", null);
    assertNull(a.reauthenticate(CHAIN, km));
    assertEquals("bb", a.identity().certificateSha256(), "the renewed certificate is kept");

    certificateIdentity =
        new ClientIdentity("alice", List.of("ops"), AuthMethod.CERTIFICATE, "CN=adm", "cc", null);
    assertEquals(RefusalReason.IDENTITY_CHANGED, a.reauthenticate(CHAIN, km));
    assertEquals("IdentityChanged", gateway.refusals().recent().get(0).reason());
  }
}
