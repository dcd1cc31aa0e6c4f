package io.vpngateway.gateway.session;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * All live sessions of this gateway, across protocols. The data plane looks a session up by the
 * destination address of a packet read from TUN; the key is the IPv4 address as an int so the
 * lookup does not allocate on the hot path.
 */
public final class SessionRegistry {
  private final InnerAddressTable byInnerAddress = new InnerAddressTable();
  private final ConcurrentHashMap<String, TunnelSession> byId = new ConcurrentHashMap<>();
  private final List<Consumer<TunnelSession>> registerListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<TunnelSession>> unregisterListeners = new CopyOnWriteArrayList<>();

  public void register(TunnelSession session) {
    TunnelSession previous = byInnerAddress.putIfAbsent(toInt(session.innerAddress()), session);
    if (previous != null && previous != session) {
      throw new IllegalStateException(
          "inner address " + session.innerAddress().getHostAddress() + " is already in use");
    }
    if (byId.put(session.id(), session) == null) {
      registerListeners.forEach(l -> l.accept(session));
    }
  }

  /** Removes the session if it is still the one registered under its id and address. */
  public void unregister(TunnelSession session) {
    byInnerAddress.remove(toInt(session.innerAddress()), session);
    if (byId.remove(session.id(), session)) {
      unregisterListeners.forEach(l -> l.accept(session));
    }
  }

  /**
   * Calls {@code listener} once for every session that enters the registry (e.g. to send RADIUS
   * accounting Start), on the thread that registered it.
   */
  public void onRegister(Consumer<TunnelSession> listener) {
    registerListeners.add(listener);
  }

  /**
   * Calls {@code listener} once for every session that leaves the registry (e.g. to keep its byte
   * counts in the metrics totals), on the thread that unregistered it.
   */
  public void onUnregister(Consumer<TunnelSession> listener) {
    unregisterListeners.add(listener);
  }

  /**
   * The session owning {@code innerAddress} (IPv4 in network byte order as an int), or null.
   * Allocation-free and lock-free: called for every packet read from TUN.
   */
  public TunnelSession lookup(int innerAddress) {
    return byInnerAddress.get(innerAddress);
  }

  public Optional<TunnelSession> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Collection<TunnelSession> all() {
    return List.copyOf(byId.values());
  }

  public int size() {
    return byId.size();
  }

  /** Closes every session matching {@code which}; returns how many were closed. */
  public int closeWhere(Predicate<TunnelSession> which, String reason) {
    int closed = 0;
    for (TunnelSession s : all()) {
      if (which.test(s)) {
        s.close(reason);
        unregister(s);
        closed++;
      }
    }
    return closed;
  }

  public static int toInt(Inet4Address address) {
    byte[] b = address.getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }
}
