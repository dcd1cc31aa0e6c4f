package io.vpngateway.gateway.openvpn.crypto;

/**
 * Sliding-window replay protection for 32-bit packet ids (the scheme of RFC 4303 section 3.4.3
 * and openvpn {@code packet_id.c}, window 64 like openvpn's default {@code --replay-window}). Not
 * thread-safe: each receive direction has its own window, used under the decryptor's lock.
 */
public final class ReplayWindow {
  private static final int SIZE = 64;
  private long highest;
  private long bitmap;

  /** True when {@code id} is new and inside the window (does not record it). */
  public boolean check(long id) {
    if (id == 0) {
      return false;
    }
    if (id > highest) {
      return true;
    }
    long diff = highest - id;
    return diff < SIZE && (bitmap & (1L << diff)) == 0;
  }

  /** Records {@code id} as seen; call only after the packet authenticated. */
  public void accept(long id) {
    if (id > highest) {
      long shift = id - highest;
      bitmap = shift >= SIZE ? 1L : (bitmap << shift) | 1L;
      highest = id;
    } else {
      bitmap |= 1L << (highest - id);
    }
  }

  public long highest() {
    return highest;
  }
}
