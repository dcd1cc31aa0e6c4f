package io.vpngateway.gateway.auth.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session a protocol server still registers after {@link RadiusSessionAccounting#stopAll} (the
 * window between the accounting's shutdown and the servers' own) is ignored: no Start that would
 * never get its Stop, and no interim timer (shut down), not a RejectedExecutionException thrown
 * into the registry's listener.
 */
class RadiusSessionAccountingShutdownTest {
  private static final class Session implements TunnelSession {
    public String id() {
      return "late-1";
    }

    public VpnProtocol protocol() {
      return VpnProtocol.OpenVPN;
    }

    public ClientIdentity identity() {
      return ClientIdentity.of("alice", List.of("vpn"), AuthMethod.RADIUS, "r1");
    }

    public Inet4Address innerAddress() {
      try {
        return (Inet4Address) InetAddress.getByAddress(new byte[] {10, 9, 0, 2});
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
    }

    public InetSocketAddress outerAddress() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    }

    public Instant since() {
      return Instant.now();
    }

    public String cipher() {
      return "";
    }

    public long bytesIn() {
      return 0;
    }

    public long bytesOut() {
      return 0;
    }

    public void deliverFromTun(ByteBuffer ipPacket) {}

    public void close(String reason) {}
  }

  @Test
  void aSessionRegisteredAfterStopAllIsIgnored() {
    RadiusSettings s =
        new RadiusSettings(
            List.of(
                RadiusTestSettings.endpoint("127.0.0.1", 9, "s", Duration.ofMillis(200), 0)),
            0,
            RadiusSettings.PasswordProtocol.PAP,
            GroupAttributeSelector.parse("Class"),
            "vpn/test",
            false,
            Duration.ofSeconds(60)); // an interim timer for every session
    try (RadiusService service = RadiusService.of(s);
        RadiusSessionAccounting accounting = new RadiusSessionAccounting(service)) {
      assertEquals(0, accounting.stopAll(Duration.ofMillis(100)));
      accounting.started(new Session());
      assertEquals(0, accounting.open(), "no Start after shutdown");
      accounting.ended(new Session());
    }
  }
}
