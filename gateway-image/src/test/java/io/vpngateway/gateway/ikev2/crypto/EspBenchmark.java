package io.vpngateway.gateway.ikev2.crypto;

import java.nio.ByteBuffer;
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
 * The ESP packet path of the IKEv2 server: {@code seal} is what a session does for each packet
 * from TUN (sequence number, padding, AEAD or CBC + HMAC), {@code sealThenOpen} adds the receive
 * side (replay window, integrity, decrypt, trailer). 1400-octet inner packets on reused heap
 * buffers, as the server uses them. Not run by surefire; see gateway-image/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EspBenchmark {
  @Param({"aes256gcm16", "aes128gcm16", "aes256-sha256", "aes256-sha1"})
  public String proposal;

  @Param({"1400"})
  public int payload;

  private EspEncryptor encryptor;
  private EspDecryptor decryptor;
  private ByteBuffer plain;
  private ByteBuffer wire;
  private ByteBuffer scratch;
  private ByteBuffer opened;

  @Setup
  public void setUp() throws Exception {
    ProposalPolicy p = ProposalPolicy.esp(proposal);
    EspSuite suite =
        ProposalPolicy.selectEsp(
                java.util.List.of(p),
                java.util.List.of(p.toProposal(1, new byte[4], false)),
                false,
                -1)
            .orElseThrow()
            .suite();
    ChildSaKeys keys =
        ChildSaKeys.derive(suite, PrfAlgorithm.HMAC_SHA2_256, new byte[32], null, new byte[32],
            new byte[32]);
    encryptor = new EspEncryptor(1, suite, keys.encryptionInitiatorToResponder(),
        keys.integrityInitiatorToResponder());
    decryptor = new EspDecryptor(1, suite, keys.encryptionInitiatorToResponder(),
        keys.integrityInitiatorToResponder());
    plain = ByteBuffer.allocate(payload);
    plain.put(0, (byte) 0x45);
    wire = ByteBuffer.allocate(payload + 128);
    scratch = ByteBuffer.allocate(payload + 64);
    opened = ByteBuffer.allocate(payload + 64);
  }

  @Benchmark
  public ByteBuffer seal() throws Exception {
    plain.clear();
    encryptor.seal(plain, wire, scratch);
    return wire;
  }

  @Benchmark
  public ByteBuffer sealThenOpen() throws Exception {
    plain.clear();
    encryptor.seal(plain, wire, scratch);
    decryptor.open(wire, opened);
    return opened;
  }
}
