package io.vpngateway.gateway.ikev2.session;

import java.security.SecureRandom;

/**
 * CHILD_SAs by inbound SPI, for the ESP receive path: a read is a probe of two arrays, with no
 * lock, no boxing and no allocation; writes (new SA, delete) copy the table and publish the copy,
 * which is cheap at rekey rates. Also hands out fresh random SPIs (RFC 4303 §2.1: 1-255 are
 * reserved, 0 is not an SPI).
 */
public final class ChildSaTable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Table(int[] keys, ChildSa[] values, int size) {}

  private volatile Table table = new Table(new int[16], new ChildSa[16], 0);
  /** SPIs handed out and not yet in the table (an exchange in progress). */
  private final java.util.Set<Integer> reserved = new java.util.HashSet<>();

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
