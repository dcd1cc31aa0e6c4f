package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * The control channel against a fake client (a plain client-mode {@link SSLEngine}): a client that
 * closes its TLS session must fail the key state, never spin the single control thread.
 */
class TlsControlChannelTest {
  /**
   * Under TLS 1.2 a close_notify closes both directions of the server's engine, after which
   * {@code wrap} returns CLOSED without consuming anything.
   */
  @Test
  void sendAfterTheClientsCloseNotifyFailsInsteadOfSpinning() throws Exception {
    assertCloseNotifyFailsTheChannel("TLSv1.2");
  }

  /**
   * Regression (found by the load generator against {@code vpngw serve}): a JDK server engine that
   * completes the handshake inside a delegated task (verifying the client's last flight) reports
   * FINISHED in no result, and with TLS 1.3 session tickets off no NewSessionTicket wrap carries it
   * either; the channel must still see the handshake as complete once the engine stops
   * handshaking, or the key state waits for its key-method message until the window closes.
   */
  @Test
  void handshakeIsCompleteWithoutAFinishedResult() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("tlscc", KeySpec.EC_P256, Instant.now());
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gw", List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    IssuedCertificate alice = ca.issueClientCertificate(ClientCertificateRequest.of(
        "alice", List.of(), Duration.ofDays(1), KeySpec.EC_P256), Instant.now());
    OpenVpnServerSettings settings = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getLoopbackAddress()).udpPort(0).tcpPort(-1)
        .serverCredentials(List.of(server.certificate()), server.privateKey()).build();
    SSLEngine real = ServerTlsContext.create(settings.serverCertificateChain(),
        settings.serverPrivateKey(), settings.tlsMinVersion(), settings.tlsCipherSuites(),
        ServerTlsContext.ClientCertificates.REQUIRED).newEngine();
    TlsControlChannel channel = new TlsControlChannel(new NoFinishedResultEngine(real));
    SSLEngine client = clientEngine(alice, "TLSv1.2");
    client.beginHandshake();
    for (int round = 0; round < 20 && !channel.handshakeComplete(); round++) {
      channel.receive(clientWraps(client));
      clientUnwraps(client, channel.takeCiphertext());
    }
    assertTrue(channel.handshakeComplete(), "handshake did not complete: server "
        + real.getHandshakeStatus() + " " + real.getSession().getProtocol() + ", client "
        + client.getHandshakeStatus());
  }

  /**
   * Channels pumped on one thread share its working buffers (an idle session keeps none): each
   * must keep its own incomplete record between calls. Two handshakes and control messages both
   * ways, fed 7 bytes at a time and interleaved, must arrive intact on each side.
   */
  @Test
  void channelsOnOneThreadKeepTheirOwnIncompleteRecords() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("tlscc", KeySpec.EC_P256, Instant.now());
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gw", List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    IssuedCertificate alice = ca.issueClientCertificate(ClientCertificateRequest.of(
        "alice", List.of(), Duration.ofDays(1), KeySpec.EC_P256), Instant.now());
    OpenVpnServerSettings settings = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getLoopbackAddress()).udpPort(0).tcpPort(-1)
        .serverCredentials(List.of(server.certificate()), server.privateKey()).build();
    ServerTlsContext context = ServerTlsContext.create(settings.serverCertificateChain(),
        settings.serverPrivateKey(), settings.tlsMinVersion(), settings.tlsCipherSuites(),
        ServerTlsContext.ClientCertificates.REQUIRED);
    TlsControlChannel a = new TlsControlChannel(context.newEngine());
    TlsControlChannel b = new TlsControlChannel(context.newEngine());
    // TLS 1.2 both: this file's client helpers drop bytes a TLS 1.3 client engine leaves
    // unconsumed while it wants to wrap (its middlebox-compatibility change_cipher_spec)
    SSLEngine clientA = clientEngine(alice, "TLSv1.2");
    SSLEngine clientB = clientEngine(alice, "TLSv1.2");
    clientA.beginHandshake();
    clientB.beginHandshake();
    for (int round = 0; round < 20 && !(a.handshakeComplete() && b.handshakeComplete()); round++) {
      feedInterleaved(a, clientWraps(clientA), b, clientWraps(clientB));
      clientUnwraps(clientA, a.takeCiphertext());
      clientUnwraps(clientB, b.takeCiphertext());
    }
    assertTrue(a.handshakeComplete() && b.handshakeComplete(), "handshakes did not complete");
    clientUnwraps(clientA, a.takeCiphertext());
    clientUnwraps(clientB, b.takeCiphertext());

    feedInterleaved(a, clientSends(clientA, "PUSH_REQUEST\0from a, long enough for records\0"),
        b, clientSends(clientB, "PUSH_REQUEST\0b\0"));
    assertEquals("PUSH_REQUEST\0from a, long enough for records\0",
        new String(a.takePlaintext(), StandardCharsets.UTF_8));
    assertEquals("PUSH_REQUEST\0b\0", new String(b.takePlaintext(), StandardCharsets.UTF_8));
    assertEquals(0, a.takePlaintext().length, "plaintext is taken once");

    a.send("PUSH_REPLY,for a\0".getBytes(StandardCharsets.UTF_8));
    b.send("PUSH_REPLY,for b\0".getBytes(StandardCharsets.UTF_8));
    assertEquals("PUSH_REPLY,for a\0", clientUnwraps(clientA, a.takeCiphertext()));
    assertEquals("PUSH_REPLY,for b\0", clientUnwraps(clientB, b.takeCiphertext()));
  }

  /** Feeds {@code toA} and {@code toB} 7 bytes at a time, alternating between the channels. */
  private static void feedInterleaved(TlsControlChannel a, byte[] toA, TlsControlChannel b,
      byte[] toB) throws Exception {
    for (int off = 0; off < Math.max(toA.length, toB.length); off += 7) {
      if (off < toA.length) {
        a.receive(Arrays.copyOfRange(toA, off, Math.min(off + 7, toA.length)));
      }
      if (off < toB.length) {
        b.receive(Arrays.copyOfRange(toB, off, Math.min(off + 7, toB.length)));
      }
    }
  }

  private static byte[] clientSends(SSLEngine client, String text) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    client.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), out);
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private static void assertCloseNotifyFailsTheChannel(String protocol) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("tlscc", KeySpec.EC_P256, Instant.now());
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gw", List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    IssuedCertificate alice = ca.issueClientCertificate(ClientCertificateRequest.of(
        "alice", List.of(), Duration.ofDays(1), KeySpec.EC_P256), Instant.now());
    OpenVpnServerSettings settings = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getLoopbackAddress()).udpPort(0).tcpPort(-1)
        .serverCredentials(List.of(server.certificate()), server.privateKey()).build();
    TlsControlChannel channel = new TlsControlChannel(
        ServerTlsContext.create(settings.serverCertificateChain(), settings.serverPrivateKey(),
            settings.tlsMinVersion(), settings.tlsCipherSuites(),
            ServerTlsContext.ClientCertificates.REQUIRED).newEngine());
    SSLEngine client = clientEngine(alice, protocol);
    client.beginHandshake();

    for (int round = 0; round < 20 && !channel.handshakeComplete(); round++) {
      channel.receive(clientWraps(client));
      clientUnwraps(client, channel.takeCiphertext());
    }
    assertTrue(channel.handshakeComplete(), "handshake did not complete");
    clientUnwraps(client, channel.takeCiphertext());

    client.closeOutbound();
    byte[] closeNotify = clientWraps(client);
    assertTrue(closeNotify.length > 0);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(HandshakeException.class,
        () -> {
          channel.receive(closeNotify);
          channel.send("PUSH_REPLY,route 10.0.0.0\0".getBytes());
        }));
  }

  private static SSLEngine clientEngine(IssuedCertificate cert, String protocol)
      throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "test".toCharArray();
    ks.setKeyEntry("client", cert.privateKey(), pw, new X509Certificate[] {cert.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {new TrustingClient()}, null);
    SSLEngine e = ctx.createSSLEngine();
    e.setUseClientMode(true);
    e.setEnabledProtocols(new String[] {protocol});
    return e;
  }

  /** Everything the client engine wants to send now. */
  private static byte[] clientWraps(SSLEngine client) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    while (true) {
      runTasks(client);
      if (client.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP
          && !client.isOutboundDone()) {
        break;
      }
      SSLEngineResult r = client.wrap(ByteBuffer.allocate(0), out);
      if (r.bytesProduced() == 0) {
        break;
      }
    }
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** Unwraps {@code data} on the client; returns the application data it carried. */
  private static String clientUnwraps(SSLEngine client, byte[] data) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(data);
    ByteBuffer app = ByteBuffer.allocate(64 * 1024);
    while (in.hasRemaining()) {
      SSLEngineResult r = client.unwrap(in, app);
      runTasks(client);
      if (r.bytesConsumed() == 0) {
        break;
      }
    }
    app.flip();
    return StandardCharsets.UTF_8.decode(app).toString();
  }

  private static void runTasks(SSLEngine e) {
    Runnable t;
    while ((t = e.getDelegatedTask()) != null) {
      t.run();
    }
  }

  private static final class TrustingClient implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // client side only
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // the test only exercises the server's engine handling
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** A server engine whose results never say FINISHED (the handshake ends in a task). */
  private static final class NoFinishedResultEngine extends javax.net.ssl.SSLEngine {
    private final SSLEngine e;

    NoFinishedResultEngine(SSLEngine e) {
      this.e = e;
    }

    private static SSLEngineResult hide(SSLEngineResult r) {
      return r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED ? r
          : new SSLEngineResult(r.getStatus(), SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING,
              r.bytesConsumed(), r.bytesProduced());
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int off, int len, ByteBuffer dst)
        throws javax.net.ssl.SSLException {
      return hide(e.wrap(srcs, off, len, dst));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int off, int len)
        throws javax.net.ssl.SSLException {
      return hide(e.unwrap(src, dsts, off, len));
    }

    @Override
    public Runnable getDelegatedTask() {
      return e.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws javax.net.ssl.SSLException {
      e.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
      return e.isInboundDone();
    }

    @Override
    public void closeOutbound() {
      e.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
      return e.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return e.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
      return e.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
      e.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
      return e.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
      return e.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
      e.setEnabledProtocols(protocols);
    }

    @Override
    public javax.net.ssl.SSLSession getSession() {
      return e.getSession();
    }

    @Override
    public void beginHandshake() throws javax.net.ssl.SSLException {
      e.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
      return e.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
      e.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
      return e.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
      e.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
      return e.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
      e.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
      return e.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
      e.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
      return e.getEnableSessionCreation();
    }
  }
}
