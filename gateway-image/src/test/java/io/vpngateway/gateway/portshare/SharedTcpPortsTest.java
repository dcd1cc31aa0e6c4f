package io.vpngateway.gateway.portshare;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One loopback port shared by a recording "OpenVPN" handler and {@link TlsEchoHandler}, with a
 * real JDK TLS client; garbage, silence and a byte-at-a-time client.
 */
class SharedTcpPortsTest {
  /** A client hard reset as openvpn sends it over TCP (length 0x000e, plain, no acks). */
  private static final byte[] OPENVPN_RESET =
      HexFormat.of().parseHex("000e38a1b2c3d4e5f6071800" + "00000000");

  private final CopyOnWriteArrayList<byte[]> openVpnFirstBytes = new CopyOnWriteArrayList<>();
  private SharedTcpPorts ports;
  private SharedTcpPorts.Registration registration;
  private TlsEchoHandler tls;

  @BeforeEach
  void start() throws Exception {
    ports = new SharedTcpPorts(InetAddress.getLoopbackAddress(), TimeUnit.MILLISECONDS.toNanos(500));
    registration =
        ports.register(
            0,
            new TcpProtocolHandler() {
              @Override
              public String name() {
                return "openvpn";
              }

              @Override
              public Match match(ByteBuffer firstBytes) {
                return FirstBytes.openVpnClientReset(firstBytes);
              }

              @Override
              public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws java.io.IOException {
                byte[] b = new byte[firstBytes.remaining()];
                firstBytes.get(b);
                openVpnFirstBytes.add(b);
                channel.close();
              }
            });
    tls = TlsEchoHandler.selfSigned();
    assertEquals(registration, ports.register(0, tls), "one port, two protocols");
    ports.start();
  }

  @AfterEach
  void stop() {
    ports.close();
  }

  private Socket connect() throws Exception {
    Socket s = new Socket();
    s.connect(registration.address().orElseThrow(), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void anOpenVpnResetGoesToOpenVpnWithTheBytesAlreadyRead() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(OPENVPN_RESET);
      await().atMost(Duration.ofSeconds(10)).until(() -> openVpnFirstBytes.size() == 1);
    }
    byte[] got = openVpnFirstBytes.get(0);
    byte[] expected = new byte[got.length];
    System.arraycopy(OPENVPN_RESET, 0, expected, 0, got.length);
    assertArrayEquals(expected, got, "the handler sees exactly what the sniffer consumed");
  }

  @Test
  void oneByteAtATimeStillFindsItsProtocol() throws Exception {
    try (Socket s = connect()) {
      s.setTcpNoDelay(true);
      for (int i = 0; i < 4; i++) {
        s.getOutputStream().write(OPENVPN_RESET[i]);
        s.getOutputStream().flush();
        Thread.sleep(20); // let each byte arrive on its own: this is what the test is about
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> openVpnFirstBytes.size() == 1);
    }
  }

  @Test
  void aTlsClientReachesTheTlsHandlerAndTalksThroughIt() throws Exception {
    SSLSocketFactory f = TlsEchoHandler.trustingClient().getSocketFactory();
    try (SSLSocket s =
        (SSLSocket)
            f.createSocket(
                registration.address().orElseThrow().getAddress(),
                registration.address().orElseThrow().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("hello through 443\n".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      byte[] reply = s.getInputStream().readNBytes("hello through 443\n".length());
      assertEquals("hello through 443\n", new String(reply, StandardCharsets.UTF_8));
    }
    assertEquals(0, openVpnFirstBytes.size());
  }

  @Test
  void garbageIsClosedAndCounted() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(-1, s.getInputStream().read(), "closed by the gateway");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ports.dropped().get("Unrecognized") == 1);
  }

  @Test
  void aSilentClientIsClosedAfterTheSniffTimeout() throws Exception {
    try (Socket s = connect()) {
      assertEquals(-1, s.getInputStream().read(), "closed by the gateway");
    }
    assertEquals(1, ports.dropped().get("SniffTimeout"));
  }

  @Test
  void anIdleSelectorThreadDoesNotWakeUp() throws Exception {
    // a connection that is sniffed and closed first: the thread must fall back to waiting forever
    try (Socket s = connect()) {
      assertEquals(-1, s.getInputStream().read(), "closed by the gateway");
    }
    long before = ports.wakeups();
    // the old loop woke every 500 ms; a second and a half without a connection must see none
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> ports.wakeups() == before);
  }

  /** A TLS server that echoes lines, taking connections the way SSTP will (bytes already read). */
  static final class TlsEchoHandler implements TcpProtocolHandler {
    private final SSLContext context;

    private TlsEchoHandler(SSLContext context) {
      this.context = context;
    }

    static TlsEchoHandler selfSigned() throws Exception {
      var ca =
          io.vpngateway.api.pki.CertificateAuthority.create(
              "echo", io.vpngateway.api.pki.KeySpec.EC_P256, java.time.Instant.now());
      var server =
          ca.issueServerCertificate(
              new io.vpngateway.api.pki.ServerCertificateRequest(
                  "echo",
                  java.util.List.of("localhost"),
                  java.util.List.of("127.0.0.1"),
                  io.vpngateway.api.pki.KeySpec.EC_P256,
                  Duration.ofDays(1)),
              java.time.Instant.now());
      return new TlsEchoHandler(
          io.vpngateway.gateway.tls.ServerTlsContext.create(
                  java.util.List.of(server.certificate()),
                  server.privateKey(),
                  "TLSv1.2",
                  java.util.List.of(),
                  io.vpngateway.gateway.tls.ServerTlsContext.ClientCertificates.NONE)
              .sslContext());
    }

    static SSLContext trustingClient() throws Exception {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(
          null,
          new javax.net.ssl.TrustManager[] {
            new javax.net.ssl.X509TrustManager() {
              @Override
              public void checkClientTrusted(java.security.cert.X509Certificate[] x, String a) {}

              @Override
              public void checkServerTrusted(java.security.cert.X509Certificate[] x, String a) {}

              @Override
              public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
              }
            }
          },
          null);
      return c;
    }

    @Override
    public String name() {
      return "tls-echo";
    }

    @Override
    public Match match(ByteBuffer firstBytes) {
      return FirstBytes.tlsClientHello(firstBytes);
    }

    @Override
    public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws java.io.IOException {
      byte[] consumed = new byte[firstBytes.remaining()];
      firstBytes.get(consumed);
      // the JDK layers a server-mode TLS socket over a connection whose first bytes were read
      SSLSocket tls =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(channel.socket(), new ByteArrayInputStream(consumed), true);
      tls.setUseClientMode(false);
      Thread t =
          new Thread(
              () -> {
                try (tls) {
                  InputStream in = tls.getInputStream();
                  OutputStream out = tls.getOutputStream();
                  int b;
                  while ((b = in.read()) >= 0) {
                    out.write(b);
                    if (b == '\n') {
                      out.flush();
                    }
                  }
                } catch (java.io.IOException e) {
                  // client gone
                }
              },
              "tls-echo");
      t.setDaemon(true);
      t.start();
    }
  }
}
