package io.vpngateway.gateway.tls;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManagerFactory;

/**
 * The floor under the OpenVPN control channel's TLS: what a bare JSSE TLS 1.3 server handshake
 * costs on this JDK, warmed up, in memory (an {@link SSLEngine} pair pumped on one thread), with
 * the whole-system bench's key types (ECDSA P-256 server and client certificates from the gateway
 * CA, client certificate required, the client's default key share, x25519). Only the server
 * engine's calls are timed, as the CPU time of the thread; the client's half is not counted.
 *
 * <p>Server contexts: {@code gateway} is the production {@link ServerTlsContext} (chain collected,
 * judged after the handshake), followed by the production {@link PkixCertificateAuthenticator} on
 * the peer chain (cached path, as a reconnecting client); {@code jdk-pkix} is a plain JSSE context
 * whose trust manager runs PKIX inside the handshake. Not a test (surefire runs {@code *Test}
 * only); see gateway-image/BENCHMARKS.md.
 *
 * <pre>java -cp "$CP" io.vpngateway.gateway.tls.TlsHandshakeFloorBenchmark [PER_ROUND] [ROUNDS]
 * </pre>
 */
public final class TlsHandshakeFloorBenchmark {
  private TlsHandshakeFloorBenchmark() {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Server CPU of the current handshake: [0] ClientHello to the server's flight, [1] the rest. */
  private static final long[] SERVER_NANOS = new long[2];

  public static void main(String[] args) throws Exception {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("floor", KeySpec.EC_P256, now);
    IssuedCertificate server =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                "gateway", List.of(), List.of("10.98.2.1"), KeySpec.EC_P256, Duration.ofDays(30)),
            now);
    IssuedCertificate client =
        ca.issueClientCertificate(
            ClientCertificateRequest.of("bench1", List.of(), Duration.ofDays(30), KeySpec.EC_P256),
            now);
    ServerTlsContext gateway =
        ServerTlsContext.create(
            List.of(server.certificate()),
            server.privateKey(),
            "TLSv1.2",
            List.of(),
            ServerTlsContext.ClientCertificates.REQUIRED);
    SSLContext jdkPkix =
        context(server.certificate(), server.privateKey(), ca.certificate(), "server");
    SSLContext clientContext =
        context(client.certificate(), client.privateKey(), ca.certificate(), "client");
    PkixCertificateAuthenticator authenticator =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(
                List.of(ca.certificate()),
                List.of(ca.issueCrl(List.of(), java.math.BigInteger.ONE, now, now.plus(Duration.ofDays(1)))),
                List.of()));
    for (int round = 0; round < rounds; round++) {
      for (String mode : List.of("gateway", "jdk-pkix")) {
        long flight = 0;
        long rest = 0;
        long auth = 0;
        for (int i = 0; i < perRound; i++) {
          SSLEngine s;
          if (mode.equals("gateway")) {
            s = gateway.newEngine();
          } else {
            s = jdkPkix.createSSLEngine();
            s.setUseClientMode(false);
            s.setNeedClientAuth(true);
          }
          handshake(s, clientContext.createSSLEngine("gateway", 1194));
          flight += SERVER_NANOS[0];
          rest += SERVER_NANOS[1];
          if (mode.equals("gateway")) {
            long a0 = THREADS.getCurrentThreadCpuTime();
            X509Certificate[] chain = (X509Certificate[]) s.getSession().getPeerCertificates();
            authenticator.authenticate(chain);
            auth += THREADS.getCurrentThreadCpuTime() - a0;
          }
        }
        System.out.printf(
            "round %d %-8s %d handshakes: server CPU ms per handshake %.3f"
                + " (ClientHello to its flight %.3f, client flight %.3f), then authenticate %.3f%n",
            round, mode, perRound, (flight + rest) / 1e6 / perRound, flight / 1e6 / perRound,
            rest / 1e6 / perRound, auth / 1e6 / perRound);
      }
    }
  }

  private static SSLContext context(
      X509Certificate cert, java.security.PrivateKey key, X509Certificate anchor, String alias)
      throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "x".toCharArray();
    ks.setKeyEntry(alias, key, pw, new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", anchor);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return c;
  }

  /** One handshake; the server's CPU lands in {@link #SERVER_NANOS}. */
  private static void handshake(SSLEngine server, SSLEngine client) throws Exception {
    client.setUseClientMode(true);
    SERVER_NANOS[0] = 0;
    SERVER_NANOS[1] = 0;
    client.beginHandshake();
    long t0 = THREADS.getCurrentThreadCpuTime();
    server.beginHandshake();
    SERVER_NANOS[0] += THREADS.getCurrentThreadCpuTime() - t0;
    byte[] toServer = step(client, new byte[0]);
    for (int flight = 0; flight < 16; flight++) {
      t0 = THREADS.getCurrentThreadCpuTime();
      byte[] toClient = step(server, toServer);
      SERVER_NANOS[flight == 0 ? 0 : 1] += THREADS.getCurrentThreadCpuTime() - t0;
      if (done(server) && done(client) && toClient.length == 0) {
        return;
      }
      toServer = step(client, toClient);
    }
    throw new IllegalStateException("handshake did not finish");
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus hs = e.getHandshakeStatus();
    return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
  }

  /** Unwraps {@code in}, runs the tasks, wraps what the engine has to send. */
  private static byte[] step(SSLEngine e, byte[] in) throws Exception {
    ByteBuffer src = ByteBuffer.wrap(in);
    ByteBuffer app = ByteBuffer.allocate(e.getSession().getApplicationBufferSize());
    ByteBuffer net = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      HandshakeStatus hs = e.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        Runnable r;
        while ((r = e.getDelegatedTask()) != null) {
          r.run();
        }
      } else if (hs == HandshakeStatus.NEED_WRAP) {
        net.clear();
        e.wrap(ByteBuffer.allocate(0), net);
        out.write(net.array(), 0, net.position());
      } else if (hs == HandshakeStatus.NEED_UNWRAP && src.hasRemaining()) {
        app.clear();
        if (e.unwrap(src, app).bytesConsumed() == 0) {
          break;
        }
      } else {
        break;
      }
    }
    return out.toByteArray();
  }
}
