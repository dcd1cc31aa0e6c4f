package io.vpngateway.gateway.portshare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.openvpn.OpenVpnServer;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.lab.OpenVpnLabFiles;
import io.vpngateway.gateway.session.SessionRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP 443 shared by two protocols, with real clients: the unmodified openvpn 2.6 client (proto
 * tcp, tls-crypt) completes its handshake and push through the demultiplexer, and {@code openssl
 * s_client} reaches a TLS echo handler (the stand-in for SSTP) on the same port, at the same time.
 * The listener, the OpenVPN server and the handler run in this JVM on a thread that joined the
 * lab's gateway namespace; the clients run in the client namespace.
 */
class SharedTcpPortInteropTest {
  private static final int PORT = 443;

  @Test
  void openVpnOverTcpAndATlsClientShareOnePort() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("openssl");
    try (NetnsLab lab = NetnsLab.create("tcpshare", "10.206.1.0/24", "10.206.2.0/24")) {
      OpenVpnLabFiles files =
          new OpenVpnLabFiles(lab.workDir().resolve("ovpn"), lab.gatewayOuterAddress());
      files.client("alice");
      Path dir = files.dir();
      SessionRegistry registry = new SessionRegistry();
      OpenVpnServer openvpn =
          OpenVpnServer.standalone(
              OpenVpnServerSettings.builder()
                  .listenAddress(InetAddress.getByName(lab.gatewayOuterAddress()))
                  .udpPort(-1)
                  .tcpPort(-1)
                  .serverCredentials(
                      Pem.decodeCertificates(Files.readString(dir.resolve("server.pem"))),
                      Pem.decodePrivateKey(Files.readString(dir.resolve("server.key"))))
                  .tlsCryptKey(OpenVpnStaticKey.parse(Files.readString(dir.resolve("tc.key"))))
                  .build(),
              new PkixCertificateAuthenticator(
                  TrustSnapshot.of(
                      Pem.decodeCertificates(Files.readString(dir.resolve("ca.pem"))),
                      List.of(),
                      List.of())),
              GroupAwareAddressAllocator.forReplica(
                  List.of(PoolSpec.of("10.207.0.0/24", 0)), List.of(VpnProtocol.OpenVPN), 1, 0),
              registry,
              address -> packet -> {});
      SharedTcpPorts ports = new SharedTcpPorts(InetAddress.getByName(lab.gatewayOuterAddress()));
      SharedTcpPortsTest.TlsEchoHandler echo = SharedTcpPortsTest.TlsEchoHandler.selfSigned();
      try {
        lab.gateway()
            .callInside(
                () -> {
                  openvpn.start();
                  ports.register(PORT, openVpnHandler(openvpn));
                  ports.register(PORT, echo);
                  ports.start();
                  return null;
                });

        Path conf =
            files.clientConfig(
                "alice",
                "tcp",
                lab.gatewayOuterAddress(),
                PORT,
                "tls-crypt " + dir.resolve("tc.key"));
        LabProcess client = lab.client().start("openvpn-tcp", "openvpn", "--config", conf.toString());
        client.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(60));
        assertEquals(1, registry.size(), "the OpenVPN session is up behind the shared port");

        ExecResult tls =
            lab.client()
                .exec(
                    Duration.ofSeconds(30),
                    "sh",
                    "-c",
                    "(printf 'hello over 443\\n'; sleep 3) | openssl s_client -quiet -connect "
                        + lab.gatewayOuterAddress()
                        + ":"
                        + PORT
                        + " 2>&1");
        assertTrue(tls.output().contains("hello over 443"), tls.output());
        assertTrue(client.isAlive(), "the OpenVPN client kept its connection meanwhile");

        // neither protocol's first bytes: the gateway closes it (cat returns before the timeout)
        ExecResult http =
            lab.client()
                .exec(
                    Duration.ofSeconds(20),
                    "sh",
                    "-c",
                    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 10 bash -c 'exec 3<>/dev/tcp/"
                        + lab.gatewayOuterAddress()
                        + "/"
                        + PORT
                        + "; cat >&3; cat <&3'; echo exit=$?");
        assertTrue(http.output().contains("exit=0"), "a plain HTTP request is closed: " + http);
        assertEquals(1L, ports.dropped().get("Unrecognized"), http.output());
        client.close();
      } finally {
        ports.close();
        openvpn.close();
      }
    }
  }

  private static TcpProtocolHandler openVpnHandler(OpenVpnServer server) {
    return new TcpProtocolHandler() {
      @Override
      public String name() {
        return "openvpn";
      }

      @Override
      public Match match(ByteBuffer firstBytes) {
        return FirstBytes.openVpnClientReset(firstBytes);
      }

      @Override
      public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws IOException {
        server.tcp().adopt(channel, firstBytes);
      }
    };
  }
}
