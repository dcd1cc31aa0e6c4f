package io.vpngateway.gateway.openvpn.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vpngateway.testing.Prerequisites;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * Guards the data path's allocation budget: sealing and opening a 1400-byte packet on reused
 * buffers allocates only what {@code Cipher.init} itself allocates (about 1.1 KB per operation on
 * JDK 17 and 25; see BENCHMARKS.md). A regression such as per-packet byte arrays or direct
 * buffers (which the JDK copies through temporary arrays, about 2.9 KB) breaks the bound.
 */
class DataChannelAllocationTest {
  @Test
  void sealAndOpenStayWithinTheCipherInitBudget() throws Exception {
    Prerequisites.require(
        ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
        "HotSpot's per-thread allocation counter (com.sun.management.ThreadMXBean)");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    byte[] key2 = new byte[256];
    new SecureRandom().nextBytes(key2);
    DataChannelEncryptor enc = DataChannelKey.create(DataCipherSuite.AES_256_GCM,
        DataChannelKeyMaterial.fromExporter(key2), 0, 1).encryptor();
    DataChannelDecryptor dec = DataChannelKey.create(DataCipherSuite.AES_256_GCM,
        DataChannelKeyMaterial.fromExporter(Mirror.swapHalves(key2)), 0, 1).decryptor();
    ByteBuffer plain = ByteBuffer.allocate(1400);
    ByteBuffer wire = ByteBuffer.allocate(1600);
    ByteBuffer opened = ByteBuffer.allocate(1600);
    int warmup = 20_000;
    int measured = 20_000;
    for (int i = 0; i < warmup + measured; i++) {
      if (i == warmup) {
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int j = 0; j < measured; j++) {
          plain.clear();
          enc.seal(plain, wire);
          dec.open(wire, 4, opened);
        }
        long perPacket = (threads.getThreadAllocatedBytes(Thread.currentThread().getId())
            - before) / measured;
        assertTrue(perPacket < 2 * 1700, "bytes allocated per seal+open: " + perPacket);
        return;
      }
      plain.clear();
      enc.seal(plain, wire);
      dec.open(wire, 4, opened);
    }
  }
}
