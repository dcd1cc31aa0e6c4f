package io.vpngateway.gateway.ikev2.crypto;

/**
 * The ESP anti-replay window of RFC 4303 §3.4.3, kept as a ring of 64-bit blocks as RFC 6479
 * describes, so advancing costs at most {@link #BLOCKS} word writes whatever the jump. It accepts
 * any sequence number within {@link #SIZE} of the highest one seen (960 packets, against the
 * 64 RFC 4303 asks for at least), which tolerates the reordering of multi-queue paths.
 *
 * <p>Not thread-safe: one instance per inbound SA, used under the decryptor's lock. {@link #check}
 * before authenticating, {@link #accept} only after the packet authenticated (§3.4.3).
 */
public final class EspReplayWindow {
  static final int BLOCKS = 16;
  /** Usable window: the ring minus one block, which is being reused. */
  public static final int SIZE = (BLOCKS - 1) * 64;

  private final long[] bitmap = new long[BLOCKS];
  private long highest;

  /** True when {@code seq} is new and not too old (does not record it). */
  public boolean check(long seq) {
    if (seq == 0) {
      return false;
    }
    if (seq > highest) {
      return true;
    }
    if (highest - seq >= SIZE) {
      return false;
    }
    return (bitmap[(int) ((seq >>> 6) & (BLOCKS - 1))] & (1L << (seq & 63))) == 0;
  }

  /** Records {@code seq} as received. */
  public void accept(long seq) {
    if (seq > highest) {
      long current = highest >>> 6;
      long target = seq >>> 6;
      long clear = Math.min(target - current, BLOCKS);
      for (long i = 1; i <= clear; i++) {
        bitmap[(int) ((current + i) & (BLOCKS - 1))] = 0;
      }
      highest = seq;
    }
    bitmap[(int) ((seq >>> 6) & (BLOCKS - 1))] |= 1L << (seq & 63);
  }

  public long highest() {
    return highest;
  }
}
