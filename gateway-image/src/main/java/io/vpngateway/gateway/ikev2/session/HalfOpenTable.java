package io.vpngateway.gateway.ikev2.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded table of half-open IKE SAs: answered IKE_SA_INIT, no IKE_AUTH yet (RFC 7296 §2.6).
 * It finds the SA of a retransmitted IKE_SA_INIT (same SPIi from the same address), counts
 * half-open SAs per source address and in total (the cookie threshold and the hard bounds read
 * it), and expires entries whose IKE_AUTH never came. Control thread only.
 */
final class HalfOpenTable {
  private record Key(long spiI, InetSocketAddress peer) {}

  private final Map<Key, IkeSa> byKey = new HashMap<>();
  private final Map<IkeSa, Key> keys = new IdentityHashMap<>();
  private final Map<InetAddress, Integer> perSource = new HashMap<>();

  IkeSa find(long spiI, InetSocketAddress peer) {
    return byKey.get(new Key(spiI, peer));
  }

  int size() {
    return byKey.size();
  }

  int fromSource(InetAddress source) {
    return perSource.getOrDefault(source, 0);
  }

  void add(IkeSa sa) {
    Key k = new Key(sa.spiI, sa.peer);
    IkeSa old = byKey.put(k, sa);
    if (old != null) {
      keys.remove(old);
    } else {
      perSource.merge(sa.peer.getAddress(), 1, Integer::sum);
    }
    keys.put(sa, k);
  }

  /** Removes {@code sa} if present (it authenticated, failed or expired). */
  void remove(IkeSa sa) {
    Key k = keys.remove(sa);
    if (k != null && byKey.remove(k, sa)) {
      perSource.computeIfPresent(k.peer().getAddress(), (a, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** The earliest deadline of a half-open SA, or {@link ControlLoop#NEVER} when there is none. */
  long earliestDeadline() {
    long due = ControlLoop.NEVER;
    for (IkeSa sa : keys.keySet()) {
      due = ControlLoop.earliest(due, sa.halfOpenDeadlineNanos);
    }
    return due;
  }

  /** Forgets every half-open SA whose deadline passed. */
  void expire(long now, IkeEngine engine) {
    List<IkeSa> due = new ArrayList<>();
    for (IkeSa sa : keys.keySet()) {
      if (now - sa.halfOpenDeadlineNanos >= 0) {
        due.add(sa);
      }
    }
    for (IkeSa sa : due) {
      engine.forget(sa);
    }
  }
}
