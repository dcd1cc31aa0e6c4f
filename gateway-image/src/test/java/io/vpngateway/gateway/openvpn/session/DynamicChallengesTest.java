package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.auth.AuthResult;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The open CRV1 challenges: one-shot, expiring, bounded. */
class DynamicChallengesTest {
  private static final AuthResult.ChallengeResponder NEVER =
      answer -> new CompletableFuture<>();

  private static DynamicChallenges.Open open(String user, long expiresAtNanos) {
    return new DynamicChallenges.Open(user, new byte[] {1, 2}, NEVER, expiresAtNanos);
  }

  private static long inOneMinute() {
    return System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
  }

  @Test
  void aChallengeIsTakenOnceByItsState() {
    DynamicChallenges c = new DynamicChallenges();
    String state = c.open(open("alice", inOneMinute()));
    assertTrue(state.matches("[0-9a-f]{32}"), "no colon may appear in a CRV1 state: " + state);
    assertNull(c.take("0".repeat(32)), "an unknown state");
    DynamicChallenges.Open taken = c.take(state);
    assertNotNull(taken);
    assertEquals("alice", taken.username());
    assertTrue(taken.sameCertificate(new byte[] {1, 2}));
    assertFalse(taken.sameCertificate(new byte[] {1, 3}));
    assertFalse(taken.sameCertificate(new byte[0]));
    assertNull(c.take(state), "answered already");
    assertEquals(0, c.size());
  }

  @Test
  void anExpiredChallengeCannotBeAnsweredAndIsDroppedByTheNextOpen() {
    DynamicChallenges c = new DynamicChallenges();
    String expired = c.open(open("alice", System.nanoTime() - 1));
    assertNull(c.take(expired));
    c.open(open("bob", System.nanoTime() - 1));
    c.open(open("carol", inOneMinute()));
    assertEquals(1, c.size(), "the expired one went when the next was opened");
  }

  @Test
  void atMostMaxOpenAreKeptTheOldestGoesFirst() {
    DynamicChallenges c = new DynamicChallenges();
    String first = c.open(open("u0", inOneMinute()));
    Set<String> states = new HashSet<>();
    for (int i = 1; i <= DynamicChallenges.MAX_OPEN; i++) {
      states.add(c.open(open("u" + i, inOneMinute())));
    }
    assertEquals(DynamicChallenges.MAX_OPEN, c.size());
    assertEquals(DynamicChallenges.MAX_OPEN, states.size(), "states are distinct");
    assertNull(c.take(first), "the oldest made room");
    assertNotNull(c.take(states.iterator().next()));
  }
}
