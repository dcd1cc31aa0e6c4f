package io.vpngateway.gateway.ikev2.session;

import java.security.SecureRandom;

/**
 * CHILD_SAs by inbound SPI, for the ESP receive path: a read is a probe of two arrays, with no
 * lock, no boxing and no allocation; writes (new SA, delete) copy the table and publish the copy,
 * which is cheap at rekey rates. Also hands out fresh random SPIs (RFC 4303 §2.1: 1-255 are
 * reserved, 0 is not an SPI).
 *
 * <p>A CHILD_SA that is deleted or replaced by a rekey is not removed from the receive path at
 * once: it is {@linkplain #retire retired} and keeps accepting packets until its grace ends,
 * because the peer may have sent on it just before it switched (or the packets were reordered
 * behind the IKE message that ended it). strongSwan and Linux keep a rekeyed inbound SA for a few
 * seconds for the same reason (RFC 7296 §2.8 orders the Delete exchange, not the ESP packets
 * already in flight on the old SA).
 */
public final class ChildSaTable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Table(int[] keys, ChildSa[] values, int size) {}

  private volatile Table table = new Table(new int[16], new ChildSa[16], 0);
  /** SPIs handed out and not yet in the table (an exchange in progress). */
  private final java.util.Set<Integer> reserved = new java.util.HashSet<>();
  /** Retired SAs still receiving, with the time their grace ends (guarded by this). */
  private final java.util.List<Retired> retired = new java.util.ArrayList<>();

  private record Retired(ChildSa sa, long untilNanos) {}

  /** The SA receiving on {@code spi}, or null. */
  public ChildSa get(int spi) {
    Table t = table;
    int mask = t.keys.length - 1;
    int i = mix(spi) & mask;
    ChildSa v;
    while ((v = t.values[i]) != null) {
      if (t.keys[i] == spi) {
        return v;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  /** A new inbound SPI, unused and reserved until {@link #put} or {@link #release}. */
  public synchronized int allocateSpi() {
    while (true) {
      int spi = RANDOM.nextInt();
      if ((spi & 0xffffff00) != 0 && get(spi) == null && reserved.add(spi)) {
        return spi;
      }
    }
  }

  public synchronized void release(int spi) {
    reserved.remove(spi);
  }

  public synchronized void put(ChildSa sa) {
    reserved.remove(sa.inboundSpi());
    Table old = table;
    int capacity = old.keys.length;
    while ((old.size + 1) * 2 > capacity) {
      capacity *= 2;
    }
    Table next = new Table(new int[capacity], new ChildSa[capacity], old.size + 1);
    copy(old, next, null);
    insert(next, sa.inboundSpi(), sa);
    table = next;
  }

  public synchronized void remove(ChildSa sa) {
    if (get(sa.inboundSpi()) != sa) {
      return;
    }
    Table old = table;
    Table next = new Table(new int[old.keys.length], new ChildSa[old.keys.length], old.size - 1);
    copy(old, next, sa);
    table = next;
  }

  /**
   * Keeps {@code sa} receiving until {@code untilNanos} ({@link System#nanoTime()} time), then
   * {@link #expireRetired} removes it. Packets it receives meanwhile are counted on it.
   */
  public synchronized void retire(ChildSa sa, long untilNanos) {
    if (get(sa.inboundSpi()) != sa || sa.retired) {
      return;
    }
    sa.retired = true;
    retired.add(new Retired(sa, untilNanos));
  }

  /** When the earliest grace ends, or {@link ControlLoop#NEVER} when no SA is retired. */
  synchronized long earliestRetiredEnd() {
    long due = ControlLoop.NEVER;
    for (Retired r : retired) {
      due = ControlLoop.earliest(due, r.untilNanos);
    }
    return due;
  }

  /** Removes the retired SAs whose grace has ended by {@code nowNanos}; returns them. */
  public synchronized java.util.List<ChildSa> expireRetired(long nowNanos) {
    if (retired.isEmpty()) {
      return java.util.List.of();
    }
    java.util.List<ChildSa> gone = new java.util.ArrayList<>();
    for (java.util.Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
      Retired r = it.next();
      if (nowNanos - r.untilNanos >= 0) {
        it.remove();
        remove(r.sa);
        gone.add(r.sa);
      }
    }
    return gone;
  }

  /** Removes at once the retired SAs of a session that ended: its address may be reused. */
  synchronized void removeRetiredOf(Ikev2Session session) {
    for (java.util.Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
      Retired r = it.next();
      if (r.sa.session == session) {
        it.remove();
        remove(r.sa);
      }
    }
  }

  public int size() {
    return table.size;
  }

  private static void copy(Table from, Table to, ChildSa skip) {
    for (int i = 0; i < from.values.length; i++) {
      if (from.values[i] != null && from.values[i] != skip) {
        insert(to, from.keys[i], from.values[i]);
      }
    }
  }

  private static void insert(Table t, int key, ChildSa value) {
    int mask = t.keys.length - 1;
    int i = mix(key) & mask;
    while (t.values[i] != null) {
      i = (i + 1) & mask;
    }
    t.keys[i] = key;
    t.values[i] = value;
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
