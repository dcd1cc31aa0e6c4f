package io.vpngateway.gateway.openvpn.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class TlsCryptTest {
  private final SecureRandom random = new SecureRandom();
  private final OpenVpnStaticKey key = OpenVpnStaticKey.generate(random);

  private TlsCrypt clientSide() throws Exception {
    return new TlsCrypt(OpenVpnStaticKey.of(Mirror.swapHalves(key.bytes())));
  }

  private static OpenVpnControlPacket reset() {
    return new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0, 42L,
        new long[0], 0, 0, new byte[] {0x0f, 0x00, 0x00, 0x02, 0x00, 0x01});
  }

  @Test
  void serverUnwrapsWhatTheClientWraps() throws Exception {
    byte[] wire = clientSide().wrap(reset());
    assertEquals(TlsCrypt.OVERHEAD + reset().bodyLength(), wire.length);
    assertEquals(reset(), new TlsCrypt(key).unwrap(ByteBuffer.wrap(wire)));
  }

  @Test
  void everySingleBitFlipIsRejected() throws Exception {
    byte[] wire = clientSide().wrap(reset());
    for (int i = 0; i < wire.length; i++) {
      byte[] bad = wire.clone();
      bad[i] ^= 0x40;
      try {
        new TlsCrypt(key).unwrap(ByteBuffer.wrap(bad));
        fail("flip at byte " + i + " was accepted");
      } catch (PacketAuthenticationException | MalformedPacketException expected) {
        // dropped before any parsing or TLS work
      }
    }
  }

  @Test
  void wrongKeyAndReplayAreRejected() throws Exception {
    byte[] wire = clientSide().wrap(reset());
    PacketAuthenticationException wrongKey = assertThrows(PacketAuthenticationException.class, () ->
        new TlsCrypt(OpenVpnStaticKey.generate(random)).unwrap(ByteBuffer.wrap(wire)));
    assertFalse(wrongKey.isReplay(), "a wrong key is a failed tag, not a replay");
    TlsCrypt server = new TlsCrypt(key);
    server.unwrap(ByteBuffer.wrap(wire));
    PacketAuthenticationException replay = assertThrows(PacketAuthenticationException.class, () ->
        server.unwrap(ByteBuffer.wrap(wire)));
    assertTrue(replay.isReplay(), "counted as Replay");
  }

  @Test
  void tlsCryptV2ResetUnwrapsWithServerKey() throws Exception {
    TlsCryptV2ServerKey serverKey = TlsCryptV2ServerKey.generate(random);
    OpenVpnStaticKey kc = OpenVpnStaticKey.generate(random);
    byte[] wkc = serverKey.wrap(kc, TlsCryptV2Metadata.user("carol")).wrappedKey();
    OpenVpnControlPacket v3 = new OpenVpnControlPacket(
        OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3, 0, 7L, new long[0], 0, 0, new byte[0]);
    byte[] inner = new TlsCrypt(OpenVpnStaticKey.of(Mirror.swapHalves(kc.bytes()))).wrap(v3);
    ByteBuffer wire = ByteBuffer.allocate(inner.length + wkc.length).put(inner).put(wkc).flip();
    TlsCryptV2Unwrapper.Result r = new TlsCryptV2Unwrapper(serverKey).unwrap(wire);
    assertEquals(v3, r.packet());
    assertEquals("carol", r.metadata().describe());
    assertThrows(PacketAuthenticationException.class, () -> new TlsCryptV2Unwrapper(
        TlsCryptV2ServerKey.generate(random)).unwrap(ByteBuffer.wrap(wire.array())));
  }
}
