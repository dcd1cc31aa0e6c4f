package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.auth.AuthResult;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The challenges of OpenVPN's dynamic challenge/response protocol that wait for their answer (the
 * "Challenge/Response Protocol" of openvpn {@code doc/management-notes.txt}): the server refuses
 * the first connection with {@code AUTH_FAILED,CRV1:<flags>:<state_id>:<user b64>:<text>}, and the
 * client (with {@code --auth-retry interact}) reconnects with the password {@code
 * CRV1::<state_id>::<response>}. The state id is ours, 128 random bits in hex, and names the
 * backend's challenge (for RADIUS: the Access-Challenge's State and server) kept here.
 *
 * <p>An open challenge is one-shot (taken by its answer, right or wrong), bound to the user name
 * and to the certificate the first connection presented, and expires with the backend's
 * challenge. At most {@link #MAX_OPEN} are kept; beyond that the oldest is dropped (its user has
 * to log in again), so a flood of half-done logins cannot grow the gateway's memory. Thread-safe.
 */
public final class DynamicChallenges {
  static final int MAX_OPEN = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One challenge waiting for its answer.
   *
   * @param username the user it was issued to (the answer must come with the same)
   * @param certificate the DER leaf certificate of the first connection, or an empty array
   * @param responder takes the answer (the backend's continuation)
   * @param expiresAtNanos {@link System#nanoTime()} after which the answer is refused
   */
  record Open(
      String username,
      byte[] certificate,
      AuthResult.ChallengeResponder responder,
      long expiresAtNanos) {
    /** Whether {@code leaf} (DER, empty when none) is the certificate the challenge was issued to. */
    boolean sameCertificate(byte[] leaf) {
      return MessageDigest.isEqual(certificate, leaf);
    }
  }

  private final Map<String, Open> open = new LinkedHashMap<>();

  /** Keeps {@code challenge} and returns its state id (no colon: the CRV1 syntax forbids one). */
  synchronized String open(Open challenge) {
    long now = System.nanoTime();
    open.values().removeIf(c -> now - c.expiresAtNanos() > 0);
    Iterator<String> oldest = open.keySet().iterator();
    while (open.size() >= MAX_OPEN && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String state = HexFormat.of().formatHex(id);
    open.put(state, challenge);
    return state;
  }

  /** Takes the challenge named {@code state}; null when unknown, already answered or expired. */
  synchronized Open take(String state) {
    Open c = open.remove(state);
    if (c == null || System.nanoTime() - c.expiresAtNanos() > 0) {
      return null;
    }
    return c;
  }

  /** Challenges waiting for an answer (metrics, tests). */
  public synchronized int size() {
    return open.size();
  }
}
