package io.vpngateway.gateway.openvpn.crypto;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The OpenVPN data-channel packet path: {@code seal} is what {@code deliverFromTun} does per
 * packet (AEAD in openvpn's P_DATA_V2 layout into a reused direct buffer), {@code sealThenOpen}
 * adds what the receive thread does (replay check, tag move, AEAD open). Not run by surefire; see
 * gateway-image/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DataChannelBenchmark {
  @Param({"AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"})
  public String cipher;

  @Param({"1400"})
  public int payload;

  /** {@code heap} is what the server uses; {@code direct} shows why (the JDK copies). */
  @Param({"heap", "direct"})
  public String buffers;

  private DataChannelEncryptor encryptor;
  private DataChannelDecryptor decryptor;
  private ByteBuffer plain;
  private ByteBuffer wire;
  private ByteBuffer opened;

  @Setup
  public void setUp() throws Exception {
    byte[] key2 = new byte[256];
    new SecureRandom().nextBytes(key2);
    DataCipherSuite suite = DataCipherSuite.byName(cipher).orElseThrow();
    encryptor = DataChannelKey.create(suite, DataChannelKeyMaterial.fromExporter(key2), 0, 1)
        .encryptor();
    byte[] mirrored = new byte[256];
    System.arraycopy(key2, 128, mirrored, 0, 128);
    System.arraycopy(key2, 0, mirrored, 128, 128);
    decryptor = DataChannelKey.create(suite, DataChannelKeyMaterial.fromExporter(mirrored), 0, 1)
        .decryptor();
    boolean direct = buffers.equals("direct");
    plain = direct || false ? ByteBuffer.allocateDirect(payload)
        : ByteBuffer.allocate(payload);
    wire = direct ? ByteBuffer.allocateDirect(payload + 128) : ByteBuffer.allocate(payload + 128);
    opened = direct ? ByteBuffer.allocateDirect(payload + 128)
        : ByteBuffer.allocate(payload + 128);
  }

  @Benchmark
  public ByteBuffer seal() throws Exception {
    plain.clear();
    encryptor.seal(plain, wire);
    return wire;
  }

  @Benchmark
  public ByteBuffer sealThenOpen() throws Exception {
    plain.clear();
    encryptor.seal(plain, wire);
    decryptor.open(wire, 4, opened);
    return opened;
  }
}
