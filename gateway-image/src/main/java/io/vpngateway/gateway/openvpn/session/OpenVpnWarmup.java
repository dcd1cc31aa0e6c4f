package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.WarmupIdentity;
import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Start-up warm-up of the OpenVPN control channel's TLS: complete TLS handshakes, in memory,
 * between a throwaway client (its own CA and certificate) and a {@link TlsControlChannel} on the
 * server's own {@link ServerTlsContext} (the live server certificate and key, versions, suites,
 * client-certificate mode), each followed by a control message both ways, the tls-ekm key export
 * (RFC 5705, as the data-channel keys are derived) and the PKIX check of the client's chain by a
 * throwaway {@link PkixCertificateAuthenticator}. The JIT then has compiled the JDK's TLS 1.3
 * server path, its signature, key agreement and HKDF code and our TLS pump before the first real
 * client arrives, instead of charging that compilation to the first few hundred clients of a
 * restarted pod.
 *
 * <p>Nothing reaches the gateway's sessions, pools, metrics or refusal log, and nothing leaves the
 * process. What it does not cover (tls-crypt-v2, the reliable layer, key-method 2 parsing, the
 * push reply) is compiled by the first real handshakes, as before.
 *
 * <p>Off by default ({@code OpenVpnProtocolServer.warmUpByDefault}, {@code
 * -Dvpngw.warmup.openvpn=true} turns it on): with the real openvpn client it did not lower the
 * server CPU of the first 150 connects, whose own path the JIT still had to compile.
 */
public final class OpenVpnWarmup {
  private static final byte[] CONTROL_MESSAGE =
      "PUSH_REQUEST\0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_ROUND_TRIPS = 32;

  private OpenVpnWarmup() {}

  /**
   * Runs up to {@code handshakes} handshakes against {@code tls}, stopping early at {@code
   * deadlineNanos} ({@link System#nanoTime}).
   *
   * @return the handshakes completed
   * @throws Exception when a handshake fails: the caller logs it and goes on
   */
  public static int run(ServerTlsContext tls, int handshakes, long deadlineNanos)
      throws Exception {
    if (handshakes <= 0) {
      return 0;
    }
    WarmupIdentity identity = WarmupIdentity.create();
    CertificateAuthority ca = identity.ca();
    IssuedCertificate client = identity.client();
    PkixCertificateAuthenticator authenticator = identity.authenticator();
    SSLContext clientContext = clientContext(client, ca.certificate());
    int done = 0;
    while (done < handshakes && System.nanoTime() - deadlineNanos < 0) {
      handshake(tls, clientContext, authenticator);
      done++;
    }
    return done;
  }

  private static void handshake(
      ServerTlsContext tls, SSLContext clientContext, PkixCertificateAuthenticator authenticator)
      throws Exception {
    TlsControlChannel server = new TlsControlChannel(tls.newEngine());
    ClientEnd client = new ClientEnd(clientContext.createSSLEngine());
    byte[] toServer = client.wrap(new byte[0]);
    for (int i = 0; !(server.handshakeComplete() && client.done()); i++) {
      if (i == MAX_ROUND_TRIPS) {
        throw new SSLException("the warm-up TLS handshake did not complete");
      }
      server.receive(toServer);
      client.unwrap(server.takeCiphertext());
      toServer = client.wrap(new byte[0]);
    }
    server.receive(concat(toServer, client.wrap(CONTROL_MESSAGE)));
    if (server.takePlaintext().length != CONTROL_MESSAGE.length) {
      throw new SSLException("the warm-up control message did not arrive");
    }
    server.send(CONTROL_MESSAGE);
    client.unwrap(server.takeCiphertext());
    TlsKeyExporter.export(server.session(), TlsKeyExporter.OPENVPN_LABEL, 256);
    authenticator.authenticate((X509Certificate[]) server.session().getPeerCertificates());
    server.close();
  }

  private static SSLContext clientContext(IssuedCertificate client, X509Certificate ca)
      throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "in-memory".toCharArray();
    ks.setKeyEntry("client", client.privateKey(), pw,
        new X509Certificate[] {client.certificate(), ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext context = SSLContext.getInstance("TLS");
    // the warm-up client talks only to the in-memory engine of this process: it checks nothing
    TrustManager acceptAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    context.init(kmf.getKeyManagers(), new TrustManager[] {acceptAll}, null);
    return context;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** The client side of the in-memory handshake: a client-mode engine and its buffers. */
  private static final class ClientEnd {
    private final SSLEngine engine;
    private ByteBuffer netIn = ByteBuffer.allocate(0);
    private final ByteBuffer netOut;
    private final ByteBuffer appIn;

    ClientEnd(SSLEngine engine) throws SSLException {
      this.engine = engine;
      engine.setUseClientMode(true);
      netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
      engine.beginHandshake();
    }

    boolean done() {
      return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    /** Everything the engine wants to send now, with {@code plaintext} once the handshake is done. */
    byte[] wrap(byte[] plaintext) throws SSLException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer src = ByteBuffer.wrap(plaintext);
      while (true) {
        runTasks();
        SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
        boolean data = hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && src.hasRemaining();
        if (hs != SSLEngineResult.HandshakeStatus.NEED_WRAP && !data) {
          return out.toByteArray();
        }
        netOut.clear();
        SSLEngineResult r = engine.wrap(src, netOut);
        out.write(netOut.array(), 0, netOut.position());
        if (r.getStatus() != SSLEngineResult.Status.OK) {
          throw new SSLException("warm-up client wrap: " + r.getStatus());
        }
      }
    }

    /** Takes the server's records; unwraps as many as are complete. */
    void unwrap(byte[] records) throws SSLException {
      ByteBuffer joined = ByteBuffer.allocate(netIn.remaining() + records.length);
      joined.put(netIn).put(records).flip();
      netIn = joined;
      while (netIn.hasRemaining()) {
        runTasks();
        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
          return; // the caller's next wrap sends it; the rest waits in netIn
        }
        appIn.clear();
        SSLEngineResult r = engine.unwrap(netIn, appIn);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
          return;
        }
        if (r.getStatus() != SSLEngineResult.Status.OK) {
          throw new SSLException("warm-up client unwrap: " + r.getStatus());
        }
      }
      runTasks();
    }

    private void runTasks() {
      Runnable task;
      while ((task = engine.getDelegatedTask()) != null) {
        task.run();
      }
    }
  }
}
