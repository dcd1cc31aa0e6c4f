package io.vpngateway.gateway.auth.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which Interim-Update period a session gets (RFC 2869 section 5.16): the Access-Accept's
 * Acct-Interim-Interval, floored at 60 s, over the configured one; none when neither says.
 */
class RadiusInterimIntervalTest {
  private static final RadiusSettings SETTINGS =
      RadiusTestSettings.settings(RadiusSettings.PasswordProtocol.PAP, "Class", 0,
          RadiusTestSettings.endpoint("127.0.0.1", 1812, "s", Duration.ofSeconds(1), 0));

  private static RadiusAccept accept(RadiusAttribute... attributes) {
    RadiusPacket p = new RadiusPacket(RadiusCode.ACCESS_ACCEPT, 1, new byte[16],
        List.of(attributes));
    return RadiusAccept.of(new RadiusResponse(p, SETTINGS.servers().get(0), Optional.empty(), 0),
        "alice", SETTINGS, 0);
  }

  @Test
  void theAcceptsIntervalIsRead() {
    assertEquals(Optional.of(Duration.ofSeconds(600)),
        accept(RadiusAttribute.integer(RadiusAttributeType.ACCT_INTERIM_INTERVAL, 600))
            .interimInterval());
    assertEquals(Optional.empty(), accept().interimInterval());
    assertEquals(Optional.empty(),
        accept(RadiusAttribute.integer(RadiusAttributeType.ACCT_INTERIM_INTERVAL, 0))
            .interimInterval(), "zero means none");
    assertEquals(Optional.empty(),
        accept(new RadiusAttribute(RadiusAttributeType.ACCT_INTERIM_INTERVAL, new byte[] {1}))
            .interimInterval(), "a malformed value is ignored, not a crash");
  }

  @Test
  void theServerWinsButCannotAskForLessThanAMinute() {
    assertEquals(Optional.of(Duration.ofSeconds(600)), RadiusSessionAccounting.interimInterval(
        Optional.of(Duration.ofSeconds(600)), Duration.ofSeconds(30)));
    assertEquals(Optional.of(Duration.ofSeconds(60)), RadiusSessionAccounting.interimInterval(
        Optional.of(Duration.ofSeconds(1)), Duration.ofSeconds(30)));
    assertEquals(Optional.of(Duration.ofSeconds(30)), RadiusSessionAccounting.interimInterval(
        Optional.empty(), Duration.ofSeconds(30)));
    assertEquals(Optional.empty(),
        RadiusSessionAccounting.interimInterval(Optional.empty(), Duration.ZERO));
  }
}
