package io.vpngateway.gateway.openvpn.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyMethod2ClientTest {
  private static KeyMethod2Client sample() {
    byte[] pre = new byte[48];
    Arrays.fill(pre, (byte) 1);
    byte[] r1 = new byte[32];
    Arrays.fill(r1, (byte) 2);
    byte[] r2 = new byte[32];
    Arrays.fill(r2, (byte) 3);
    return new KeyMethod2Client(pre, r1, r2, "V4,dev-type tun,key-method 2,tls-client", "", "",
        PeerInfo.parse("IV_VER=2.6.14\nIV_PROTO=990\nIV_CIPHERS=AES-256-GCM:CHACHA20-POLY1305\n"));
  }

  @Test
  void roundTripsAndReadsPeerInfo() throws Exception {
    byte[] wire = sample().encode();
    ByteBuffer in = ByteBuffer.wrap(wire);
    KeyMethod2Client k = KeyMethod2Client.decode(in);
    assertEquals(wire.length, in.position());
    assertArrayEquals(sample().preMaster(), k.preMaster());
    assertEquals("V4,dev-type tun,key-method 2,tls-client", k.options());
    assertEquals("2.6.14", k.peerInfo().version());
    assertTrue(k.peerInfo().has(PeerInfo.IV_PROTO_TLS_KEY_EXPORT));
    assertEquals(List.of("AES-256-GCM", "CHACHA20-POLY1305"), k.peerInfo().ciphers());
  }

  @Test
  void incompleteMessageWaitsForMore() throws Exception {
    byte[] wire = sample().encode();
    for (int len = 0; len < wire.length - 1; len++) {
      ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(wire, len));
      KeyMethod2Client k = KeyMethod2Client.decode(in);
      if (k == null) {
        assertEquals(0, in.position(), "nothing consumed while incomplete");
      }
    }
  }

  @Test
  void wrongKeyMethodOrPrefixIsRejected() {
    byte[] wire = sample().encode();
    wire[4] = 1;
    assertThrows(MalformedPacketException.class, () -> KeyMethod2Client.decode(
        ByteBuffer.wrap(wire)));
    byte[] wire2 = sample().encode();
    wire2[0] = 9;
    assertThrows(MalformedPacketException.class, () -> KeyMethod2Client.decode(
        ByteBuffer.wrap(wire2)));
  }

  @Test
  void serverReplyHasNoPreMaster() {
    byte[] r = new byte[32];
    byte[] wire = new KeyMethod2Server(r, r, "V4").encode();
    assertEquals(4 + 1 + 64 + 2 + 3 + 6, wire.length);
  }

  @Test
  void noCommonCipherWithoutNcp() {
    assertNull(PeerInfo.parse("IV_VER=2.3\n").ciphers().stream().findFirst().orElse(null));
  }
}
