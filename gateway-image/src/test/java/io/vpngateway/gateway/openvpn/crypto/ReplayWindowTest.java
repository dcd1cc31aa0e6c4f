package io.vpngateway.gateway.openvpn.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
  private static boolean take(ReplayWindow w, long id) {
    if (!w.check(id)) {
      return false;
    }
    w.accept(id);
    return true;
  }

  @Test
  void acceptsReorderedOnceAndRejectsDuplicatesOldAndZero() {
    ReplayWindow w = new ReplayWindow();
    assertFalse(take(w, 0));
    assertTrue(take(w, 1));
    assertTrue(take(w, 3));
    assertTrue(take(w, 2));
    assertFalse(take(w, 2));
    assertFalse(take(w, 3));
    assertTrue(take(w, 100));
    assertTrue(take(w, 40));
    assertFalse(take(w, 36));  // 64 behind the highest: outside the window
    assertTrue(take(w, 1000));
    assertFalse(take(w, 100));
  }
}
