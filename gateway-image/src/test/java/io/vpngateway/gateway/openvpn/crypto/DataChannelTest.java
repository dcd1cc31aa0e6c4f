package io.vpngateway.gateway.openvpn.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DataChannelTest {
  private final byte[] key2 = new byte[256];

  {
    new SecureRandom().nextBytes(key2);
  }

  /** The server's key and a key built from the mirrored material (the client's view). */
  private DataChannelKey server(DataCipherSuite s) throws Exception {
    return DataChannelKey.create(s, DataChannelKeyMaterial.fromExporter(key2), 1, 0x0a0b0c);
  }

  private DataChannelKey client(DataCipherSuite s) throws Exception {
    return DataChannelKey.create(s, DataChannelKeyMaterial.fromExporter(Mirror.swapHalves(key2)),
        1, 0x0a0b0c);
  }

  private static ByteBuffer ipPacket(int n) {
    ByteBuffer b = ByteBuffer.allocateDirect(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) i);
    }
    return b.flip();
  }

  @ParameterizedTest
  @EnumSource(DataCipherSuite.class)
  void sealedPacketHasOpenVpnLayoutAndOpens(DataCipherSuite suite) throws Exception {
    ByteBuffer wire = ByteBuffer.allocateDirect(2048);
    server(suite).encryptor().seal(ipPacket(100), wire);
    assertEquals(100 + DataChannelEncryptor.OVERHEAD, wire.remaining());
    assertEquals((9 << 3) | 1, wire.get(0) & 0xff);
    assertEquals(0x0a0b0c, wire.getInt(0) & 0xffffff);
    assertEquals(1, wire.getInt(4));
    ByteBuffer plain = ByteBuffer.allocateDirect(2048);
    client(suite).decryptor().open(wire, 4, plain);
    assertEquals(ipPacket(100), plain);
  }

  @ParameterizedTest
  @EnumSource(DataCipherSuite.class)
  void everySingleByteFlipAndAReplayAreRejected(DataCipherSuite suite) throws Exception {
    ByteBuffer wire = ByteBuffer.allocateDirect(2048);
    server(suite).encryptor().seal(ipPacket(60), wire);
    byte[] good = new byte[wire.remaining()];
    wire.get(good);
    ByteBuffer plain = ByteBuffer.allocateDirect(2048);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      DataChannelDecryptor d = client(suite).decryptor();
      try {
        d.open(ByteBuffer.allocate(2048).put(bad).flip(), 4, plain);
        fail("flip at byte " + i + " accepted");
      } catch (PacketAuthenticationException expected) {
        // counted and dropped
      }
    }
    DataChannelDecryptor d = client(suite).decryptor();
    d.open(ByteBuffer.allocate(2048).put(good).flip(), 4, plain);
    assertThrows(PacketAuthenticationException.class,
        () -> d.open(ByteBuffer.allocate(2048).put(good).flip(), 4, plain));
  }
}
