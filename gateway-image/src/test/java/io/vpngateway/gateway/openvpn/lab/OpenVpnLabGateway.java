package io.vpngateway.gateway.openvpn.lab;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.gateway.openvpn.OpenVpnServer;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TunDevice;
import io.vpngateway.gateway.tun.TunQueue;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The gateway process of the OpenVPN interop tests: run inside the gateway network namespace as a
 * child JVM (as in a pod), it opens a TUN device, addresses it, starts {@link OpenVpnServer} with
 * the settings in {@code <dir>/gateway.properties} and moves packets between TUN and sessions.
 * It prints {@code READY udp=<port> tcp=<port>} once listening and rewrites {@code
 * <dir>/stats.txt} with the server counters four times a second.
 */
public final class OpenVpnLabGateway {
  private OpenVpnLabGateway() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("gateway.properties"))) {
      p.load(r);
    }
    String pool = p.getProperty("pool", "10.8.0.0/24");
    PoolSpec poolSpec = PoolSpec.of(pool, 0);
    long g = poolSpec.gatewayAddress();
    String gatewayAddress = (g >>> 24) + "." + ((g >>> 16) & 255) + "." + ((g >>> 8) & 255) + "."
        + (g & 255);
    TunDevice tun = TunDevice.open(p.getProperty("tun", "ovpn%d"), 1);
    run("ip", "addr", "add", gatewayAddress + "/" + poolSpec.cidr().prefixLength(), "dev",
        tun.name());
    run("ip", "link", "set", tun.name(), "mtu", "1500", "up");
    TunQueue queue = tun.queue(0);

    SessionRegistry registry = new SessionRegistry();
    var authenticator = new PkixCertificateAuthenticator(TrustSnapshot.of(
        Pem.decodeCertificates(Files.readString(dir.resolve("ca.pem"))), List.of(),
        Arrays.stream(p.getProperty("revoked", "").split(",")).filter(s -> !s.isBlank())
            .toList()));
    var allocator = GroupAwareAddressAllocator.forReplica(List.of(poolSpec),
        List.of(VpnProtocol.OpenVPN), 1, 0);
    OpenVpnServerSettings.Builder b = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getByName(p.getProperty("listen", "0.0.0.0")))
        .udpPort(Integer.parseInt(p.getProperty("udpPort", "1194")))
        .tcpPort(Integer.parseInt(p.getProperty("tcpPort", "1194")))
        .serverCredentials(
            Pem.decodeCertificates(Files.readString(dir.resolve("server.pem"))),
            Pem.decodePrivateKey(Files.readString(dir.resolve("server.key"))))
        .tlsMinVersion(p.getProperty("tlsMin", "TLSv1.2"))
        .dataCiphers(Arrays.stream(p.getProperty("ciphers",
                "AES-256-GCM,AES-128-GCM,CHACHA20-POLY1305").split(","))
            .map(c -> DataCipherSuite.byName(c).orElseThrow()).toList())
        .routes(Arrays.stream(p.getProperty("routes", "").split(","))
            .filter(s -> !s.isBlank()).toList())
        .keepalive(Duration.ofSeconds(5), Duration.ofSeconds(30))
        .renegotiate(Duration.ofSeconds(Long.parseLong(p.getProperty("renegSec", "3600"))), 0)
        .maxConnections(Integer.parseInt(p.getProperty("maxConnections", "16")))
        .authToken("lab-auth-token-secret-0123456789abcdef".getBytes(), Duration.ofHours(1));
    if (Files.exists(dir.resolve("tc.key"))) {
      b.tlsCryptKey(OpenVpnStaticKey.parse(Files.readString(dir.resolve("tc.key"))));
    }
    if (Files.exists(dir.resolve("tcv2-server.key"))) {
      b.tlsCryptV2Key(TlsCryptV2ServerKey.parse(Files.readString(dir.resolve("tcv2-server.key"))));
    }
    OpenVpnServer server = OpenVpnServer.standalone(b.build(), authenticator, allocator, registry,
        address -> packet -> {
          try {
            queue.write(packet);
          } catch (IOException e) {
            // TUN gone: the process is ending
          }
        });
    server.start();
    Thread tunReader = new Thread(() -> pumpTun(queue, registry), "tun-reader");
    tunReader.setDaemon(true);
    tunReader.start();
    System.out.println("READY udp=" + server.udpAddress().map(a -> a.getPort()).orElse(-1)
        + " tcp=" + server.tcpAddress().map(a -> a.getPort()).orElse(-1)
        + " tun=" + tun.name());
    System.out.flush();
    Path stats = dir.resolve("stats.txt");
    while (true) {
      Path tmp = dir.resolve("stats.tmp");
      Files.writeString(tmp, server.stats() + " sessions=" + server.sessions().size() + "\n");
      Files.move(tmp, stats, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(250);
    }
  }

  private static void pumpTun(TunQueue queue, SessionRegistry registry) {
    ByteBuffer buf = ByteBuffer.allocateDirect(65536);
    while (true) {
      try {
        buf.clear();
        int n = queue.read(buf, 500);
        if (n <= 0) {
          continue;
        }
        buf.flip();
        if ((buf.get(0) & 0xf0) != 0x40 || n < 20) {
          continue;
        }
        TunnelSession s = registry.lookup(buf.getInt(16));
        if (s != null) {
          s.deliverFromTun(buf);
        }
      } catch (IOException e) {
        return;
      } catch (RuntimeException e) {
        // as the real data plane does: one bad packet must not stop the reader; log for the test
        e.printStackTrace();
      }
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process pr = new ProcessBuilder(cmd).inheritIO().start();
    if (pr.waitFor() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd));
    }
  }
}
