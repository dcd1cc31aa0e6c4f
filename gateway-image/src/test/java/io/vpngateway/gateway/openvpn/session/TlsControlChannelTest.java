package io.vpngateway.gateway.openvpn.session;

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
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
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

  private static void clientUnwraps(SSLEngine client, byte[] data) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(data);
    ByteBuffer app = ByteBuffer.allocate(64 * 1024);
    while (in.hasRemaining()) {
      SSLEngineResult r = client.unwrap(in, app);
      runTasks(client);
      if (r.bytesConsumed() == 0) {
        break;
      }
    }
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
}
