package io.vpngateway.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Shared pieces of the fuzz tests: the one Jazzer instrumentation scope every fuzz test class sets
 * (Jazzer reads it once per JVM, when the first {@code @FuzzTest} starts, so every class must ask
 * for the same), and the seeded mutator behind each class's always-run {@code @Test}: random octet
 * changes, bit flips, insertions, deletions, 16-bit length-like fields set to edge values and
 * truncation, from a fixed seed so a failure reproduces.
 */
public final class Fuzzing {
  /** Our parsers of untrusted bytes: instrumenting every class costs minutes of a build. */
  public static final String SCOPE =
      "io.vpngateway.gateway.ikev2.**:io.vpngateway.gateway.openvpn.**"
          + ":io.vpngateway.gateway.management.**:io.vpngateway.api.config.**"
          + ":io.vpngateway.api.openvpn.**";

  private Fuzzing() {}

  /** Call from a fuzz test class's static initialiser. */
  public static void scope() {
    System.setProperty("jazzer.instrumentation_includes", SCOPE);
    System.setProperty("jazzer.custom_hook_includes", SCOPE);
  }

  /**
   * Feeds {@code rounds} mutations of {@code seeds} to {@code target}; an unchecked exception or
   * error escaping it fails with the input in hex.
   */
  public static void mutateAndRun(List<byte[]> seeds, long seed, int rounds,
      Consumer<byte[]> target) {
    Random random = new Random(seed);
    for (int i = 0; i < rounds; i++) {
      byte[] m = mutate(seeds.get(random.nextInt(seeds.size())), random);
      try {
        target.accept(m);
      } catch (RuntimeException | Error e) {
        throw new AssertionError("mutation " + i + " escaped: " + hex(m), e);
      }
    }
  }

  public static byte[] mutate(byte[] seed, Random r) {
    List<Byte> b = new ArrayList<>(seed.length + 16);
    for (byte x : seed) {
      b.add(x);
    }
    int rounds = 1 + r.nextInt(8);
    for (int k = 0; k < rounds && !b.isEmpty(); k++) {
      int at = r.nextInt(b.size());
      switch (r.nextInt(6)) {
        case 0 -> b.set(at, (byte) r.nextInt(256));
        case 1 -> b.set(at, (byte) (b.get(at) ^ (1 << r.nextInt(8))));
        case 2 -> b.add(at, (byte) r.nextInt(256));
        case 3 -> b.remove(at);
        case 4 -> {
          int v = new int[] {0, 1, 3, 4, 5, 0x7fff, 0xffff, b.size(), b.size() + 1}[r.nextInt(9)];
          b.set(at, (byte) (v >>> 8));
          if (at + 1 < b.size()) {
            b.set(at + 1, (byte) v);
          }
        }
        default -> {
          while (b.size() > at) {
            b.remove(b.size() - 1);
          }
        }
      }
    }
    byte[] out = new byte[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i);
    }
    return out;
  }

  public static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }
}
