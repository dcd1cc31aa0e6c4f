package io.vpngateway.gateway.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The most recent refusals (bounded), newest last, for the management API. */
public final class RefusalLog {
  /** How many refusals are kept. */
  public static final int CAPACITY = 200;

  private final Deque<RefusalRecord> records = new ArrayDeque<>();

  synchronized void add(RefusalRecord record) {
    if (records.size() == CAPACITY) {
      records.removeFirst();
    }
    records.addLast(record);
  }

  public synchronized List<RefusalRecord> recent() {
    return new ArrayList<>(records);
  }
}
