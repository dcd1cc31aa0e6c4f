package io.vpngateway.gateway.openvpn.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The admitted OpenVPN sessions of one server by identity name, so that a client's new connection
 * can end its own older connections that never carried a data packet.
 *
 * <p>Such a connection is one its client gave up on before the gateway got to it: the client's
 * hand-window (60 s) ran out while a restarted or busy gateway worked through a backlog of
 * handshakes, and the client came back from a new port. The gateway still completed the old
 * handshake later and admitted it; without this, it held a connection of {@code maxConnections},
 * an address and its registration until its ping-restart (60 s of silence), and a herd of
 * reconnecting clients used up the budget with its own abandoned attempts and was refused {@code
 * MaxConnectionsReached} ({@code bench/scale.sh sessions --restart 1}, BENCHMARKS.md). A session
 * that has carried data is left alone: two devices may share a certificate.
 *
 * <p>Called on the server's control thread; synchronized all the same (cheap, uncontended).
 */
public final class AdmittedSessions {
  private final Map<String, List<SessionAdmission>> byName = new HashMap<>();

  synchronized void add(String name, SessionAdmission admission) {
    byName.computeIfAbsent(name, n -> new ArrayList<>(1)).add(admission);
  }

  synchronized void remove(String name, SessionAdmission admission) {
    List<SessionAdmission> list = byName.get(name);
    if (list != null && list.remove(admission) && list.isEmpty()) {
      byName.remove(name);
    }
  }

  /**
   * The admissions of {@code name} that started before {@code newer} and whose session has not
   * carried a data packet: the connections {@code newer}'s client abandoned.
   */
  synchronized List<SessionAdmission> unusedBefore(String name, SessionAdmission newer) {
    List<SessionAdmission> list = byName.get(name);
    if (list == null) {
      return List.of();
    }
    List<SessionAdmission> unused = new ArrayList<>();
    for (SessionAdmission a : list) {
      if (a != newer && a.startedBefore(newer) && !a.carriedData()) {
        unused.add(a);
      }
    }
    return unused;
  }

  /** How many admitted sessions are listed (tests). */
  synchronized int size() {
    return byName.values().stream().mapToInt(List::size).sum();
  }
}
