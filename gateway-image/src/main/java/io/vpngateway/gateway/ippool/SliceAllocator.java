package io.vpngateway.gateway.ippool;

import io.vpngateway.api.pool.AddressRange;
import java.util.BitSet;

/**
 * Free/used state of the addresses of one pool slice. Allocation is next-fit: the search resumes
 * after the last address handed out, so a just-released address is reused only after the rest of
 * the slice has been used, which keeps late packets of an old session away from a new client.
 */
final class SliceAllocator {
  private final AddressRange range;
  private final BitSet used;
  private final int size;
  private int next;
  private int inUse;

  SliceAllocator(AddressRange range) {
    if (range.size() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("slice " + range + " is too large");
    }
    this.range = range;
    this.size = (int) range.size();
    this.used = new BitSet(size);
  }

  /** The next free address, or -1 when the slice is exhausted. */
  synchronized long allocate() {
    if (inUse == size) {
      return -1;
    }
    int index = used.nextClearBit(next);
    if (index >= size) {
      index = used.nextClearBit(0);
    }
    used.set(index);
    inUse++;
    next = index + 1 == size ? 0 : index + 1;
    return range.first() + index;
  }

  /**
   * {@code address} itself when it lies in this slice and is free (an address the authenticating
   * server assigned), else -1.
   */
  synchronized long allocate(long address) {
    long index = address - range.first();
    if (index < 0 || index >= size || used.get((int) index)) {
      return -1;
    }
    used.set((int) index);
    inUse++;
    return address;
  }

  synchronized void release(long address) {
    int index = (int) (address - range.first());
    if (index < 0 || index >= size || !used.get(index)) {
      throw new IllegalStateException("address " + address + " is not allocated from " + range);
    }
    used.clear(index);
    inUse--;
  }

  synchronized int inUse() {
    return inUse;
  }

  int size() {
    return size;
  }
}
