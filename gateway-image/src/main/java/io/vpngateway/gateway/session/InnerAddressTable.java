package io.vpngateway.gateway.session;

/**
 * Sessions by inner IPv4 address, for the data plane's per-packet lookup. A read is a probe of two
 * primitive arrays with no boxing and no lock; writes (connect, disconnect) copy the table and
 * publish the copy, which is cheap at connection rates and keeps every read allocation-free.
 *
 * <p>Open addressing with linear probing, load factor at most 1/2. Address keys are the IPv4 value
 * as an int ({@link SessionRegistry#toInt}); a null value marks an empty slot.
 */
final class InnerAddressTable {
  private static final class Table {
    final int[] keys;
    final TunnelSession[] values;
    final int mask;
    final int size;

    Table(int capacity, int size) {
      this.keys = new int[capacity];
      this.values = new TunnelSession[capacity];
      this.mask = capacity - 1;
      this.size = size;
    }
  }

  private volatile Table table = new Table(16, 0);

  TunnelSession get(int key) {
    Table t = table;
    int i = mix(key) & t.mask;
    TunnelSession v;
    while ((v = t.values[i]) != null) {
      if (t.keys[i] == key) {
        return v;
      }
      i = (i + 1) & t.mask;
    }
    return null;
  }

  /** Adds {@code session} under {@code key} unless taken; returns the existing one or null. */
  synchronized TunnelSession putIfAbsent(int key, TunnelSession session) {
    TunnelSession existing = get(key);
    if (existing != null) {
      return existing;
    }
    Table old = table;
    int capacity = old.keys.length;
    while ((old.size + 1) * 2 > capacity) {
      capacity *= 2;
    }
    Table next = new Table(capacity, old.size + 1);
    copyInto(old, next, Integer.MIN_VALUE, null);
    insert(next, key, session);
    table = next;
    return null;
  }

  /** Removes {@code key} if it maps to {@code session}; returns whether it did. */
  synchronized boolean remove(int key, TunnelSession session) {
    if (get(key) != session) {
      return false;
    }
    Table old = table;
    int capacity = old.keys.length;
    while (capacity > 16 && (old.size - 1) * 8 < capacity) {
      capacity /= 2;
    }
    Table next = new Table(capacity, old.size - 1);
    copyInto(old, next, key, session);
    table = next;
    return true;
  }

  int size() {
    return table.size;
  }

  private static void copyInto(Table from, Table to, int skipKey, TunnelSession skipValue) {
    for (int i = 0; i < from.values.length; i++) {
      TunnelSession v = from.values[i];
      if (v != null && !(from.keys[i] == skipKey && v == skipValue)) {
        insert(to, from.keys[i], v);
      }
    }
  }

  private static void insert(Table t, int key, TunnelSession value) {
    int i = mix(key) & t.mask;
    while (t.values[i] != null) {
      i = (i + 1) & t.mask;
    }
    t.keys[i] = key;
    t.values[i] = value;
  }

  /** Pools are contiguous: spread neighbouring addresses over the table (Murmur3 finalizer). */
  private static int mix(int key) {
    int h = key;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
