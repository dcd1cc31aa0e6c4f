package io.vpngateway.gateway.ikev2.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.testing.Fuzzing;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the IKE parser: whatever a datagram holds, decoding either succeeds or fails with a
 * typed {@link IkeProtocolException} (the caller answers or drops it and counts it); any other
 * exception or error is a bug that could take a receive thread down.
 *
 * <ul>
 *   <li>{@link #ikeParserNeverFailsUnchecked} is a Jazzer (coverage-guided, libFuzzer) fuzz test.
 *       In a normal build it replays its seeds, the captured strongSwan and gateway messages in
 *       {@code IkeMessageFuzzTestInputs/}; {@code JAZZER_FUZZ=1 mvn -pl gateway-image test
 *       -Dtest=IkeMessageFuzzTest} fuzzes it for real (findings land next to the seeds).
 *   <li>{@link #seededMutationsOfCapturedMessages} runs in every build: tens of thousands of
 *       random mutations of the same captures (octet changes, insertions, deletions, length
 *       fields), from a fixed seed so a failure reproduces.
 * </ul>
 */
class IkeMessageFuzzTest {
  static {
    // instrument our parsers only (the same scope in every fuzz test class: Jazzer reads it once
    // per JVM): instrumenting every class the JVM loads costs minutes of a build
    Fuzzing.scope();
  }

  @FuzzTest(maxDuration = "120s")
  void ikeParserNeverFailsUnchecked(byte[] data) {
    decodeBothWays(data);
  }

  /** As a whole message, and as the payload chain of a decrypted SK payload. */
  static void decodeBothWays(byte[] data) {
    try {
      ReceivedIkeMessage m = ReceivedIkeMessage.decode(data);
      m.clear().toString();
    } catch (IkeProtocolException expected) {
      // typed refusal
    }
    if (data.length > 0) {
      try {
        IkePayloadCodec.decode(
            data[0] & 0xff, ByteBuffer.wrap(data, 1, data.length - 1).slice(), false);
      } catch (IkeProtocolException expected) {
        // typed refusal
      }
    }
  }

  @Test
  void seededMutationsOfCapturedMessages() {
    List<byte[]> seeds =
        List.of(
            Hex.resource("strongswan-ike-sa-init-request.hex"),
            Hex.resource("gateway-ike-sa-init-response.hex"),
            Hex.resource("strongswan-ike-auth-request.hex"));
    Random random = new Random(0x1CE5EED);
    for (int i = 0; i < 60_000; i++) {
      byte[] m = mutate(seeds.get(random.nextInt(seeds.size())), random);
      try {
        decodeBothWays(m);
      } catch (RuntimeException | Error e) {
        throw new AssertionError("mutation " + i + " escaped: " + Hex.hex(m), e);
      }
    }
  }

  /** Project-wide mutation, then the IKE header's length made consistent half of the time. */
  private static byte[] mutate(byte[] seed, Random r) {
    byte[] out = Fuzzing.mutate(seed, r);
    // keep the IKE header's length consistent half of the time, to get past the first check
    if (out.length >= 28 && r.nextBoolean()) {
      ByteBuffer.wrap(out).putInt(24, out.length);
    }
    return out;
  }
}
