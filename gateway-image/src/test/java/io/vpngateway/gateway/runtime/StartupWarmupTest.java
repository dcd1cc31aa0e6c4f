package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.protocol.Endpoint;
import io.vpngateway.gateway.protocol.ProtocolServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which protocol servers the start-up warm-up runs: the server's default (OpenVPN's off, IKEv2's
 * on), overridden per protocol by {@code vpngw.warmup.<protocol>}, and the global budget.
 */
class StartupWarmupTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty("vpngw.warmup.openvpn");
    System.clearProperty("vpngw.warmup.ikev2");
    System.clearProperty("vpngw.warmup.handshakes");
  }

  @Test
  void runsOnlyWhereTheServerWarmsUpByDefault() {
    CountingServer openvpn = new CountingServer(VpnProtocol.OpenVPN, false);
    CountingServer ikev2 = new CountingServer(VpnProtocol.IKEv2, true);
    StartupWarmup.run(openvpn);
    StartupWarmup.run(ikev2);
    assertEquals(0, openvpn.asked);
    assertEquals(StartupWarmup.DEFAULT_HANDSHAKES, ikev2.asked);
  }

  @Test
  void thePerProtocolPropertyOverridesTheDefaultBothWays() {
    System.setProperty("vpngw.warmup.openvpn", "true");
    System.setProperty("vpngw.warmup.ikev2", "false");
    CountingServer openvpn = new CountingServer(VpnProtocol.OpenVPN, false);
    CountingServer ikev2 = new CountingServer(VpnProtocol.IKEv2, true);
    StartupWarmup.run(openvpn);
    StartupWarmup.run(ikev2);
    assertEquals(StartupWarmup.DEFAULT_HANDSHAKES, openvpn.asked);
    assertEquals(0, ikev2.asked);
  }

  @Test
  void aZeroBudgetTurnsEveryWarmUpOff() {
    System.setProperty("vpngw.warmup.handshakes", "0");
    System.setProperty("vpngw.warmup.openvpn", "true");
    CountingServer openvpn = new CountingServer(VpnProtocol.OpenVPN, false);
    CountingServer ikev2 = new CountingServer(VpnProtocol.IKEv2, true);
    StartupWarmup.run(openvpn);
    StartupWarmup.run(ikev2);
    assertEquals(0, openvpn.asked);
    assertEquals(0, ikev2.asked);
  }

  /** Records the handshakes the warm-up asked of it (0: not called). */
  private static final class CountingServer implements ProtocolServer {
    private final VpnProtocol protocol;
    private final boolean byDefault;
    int asked;

    CountingServer(VpnProtocol protocol, boolean byDefault) {
      this.protocol = protocol;
      this.byDefault = byDefault;
    }

    @Override
    public VpnProtocol protocol() {
      return protocol;
    }

    @Override
    public int warmUp(int handshakes, long deadlineNanos) {
      asked = handshakes;
      return handshakes;
    }

    @Override
    public boolean warmUpByDefault() {
      return byDefault;
    }

    @Override
    public void start() {}

    @Override
    public void apply(RuntimeConfig next) {}

    @Override
    public List<Endpoint> endpoints() {
      return List.of();
    }

    @Override
    public void close() {}
  }
}
