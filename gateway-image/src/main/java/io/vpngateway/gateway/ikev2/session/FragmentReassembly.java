package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.message.EncryptedPayload;

/**
 * Collects the decrypted fragments of one IKE message, RFC 7383 §2.6: fragments arrive in any
 * order, each one authenticated on its own; the message is complete when every number from 1 to
 * Total Fragments is present. Duplicates are ignored. A fragment announcing another total than the
 * first one restarts the collection only if its total is larger (§2.6.1: a retransmission may be
 * fragmented anew); the bounds keep a peer from making us hold more than {@link #MAX_OCTETS}.
 */
final class FragmentReassembly {
  static final int MAX_FRAGMENTS = 64;
  static final int MAX_OCTETS = 64 * 1024;

  private final int messageId;
  private int total;
  private int firstInner;
  private byte[][] parts;
  private int received;
  private int octets;

  FragmentReassembly(int messageId) {
    this.messageId = messageId;
  }

  int messageId() {
    return messageId;
  }

  /**
   * Adds one authenticated fragment's plaintext. Returns true when the message is complete.
   *
   * @throws IllegalArgumentException when the fragment breaks the bounds (the collection is then
   *     unusable and must be dropped)
   */
  boolean add(EncryptedPayload fragment, byte[] plain) {
    int n = fragment.totalFragments();
    if (n > MAX_FRAGMENTS) {
      throw new IllegalArgumentException("message in " + n + " fragments");
    }
    if (parts == null || n > total) {
      total = n;
      parts = new byte[n][];
      received = 0;
      octets = 0;
    } else if (n < total) {
      return false; // a fragment of an older, smaller fragmentation
    }
    int index = fragment.fragmentNumber() - 1;
    if (parts[index] != null) {
      return false;
    }
    octets += plain.length;
    if (octets > MAX_OCTETS) {
      throw new IllegalArgumentException("fragments exceed " + MAX_OCTETS + " octets");
    }
    if (index == 0) {
      firstInner = fragment.firstInnerPayload();
    }
    parts[index] = plain;
    received++;
    return received == total;
  }

  int firstInnerPayload() {
    return firstInner;
  }

  byte[] assemble() {
    byte[] all = new byte[octets];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
