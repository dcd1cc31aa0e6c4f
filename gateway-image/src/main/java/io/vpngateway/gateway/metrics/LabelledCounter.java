package io.vpngateway.gateway.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counter family with labels. {@link #child} returns the cell for one label set; callers on a hot
 * path keep the cell and {@code increment()} it without any allocation.
 */
public final class LabelledCounter {
  private final String name;
  private final String help;
  private final String[] labelNames;
  private final ConcurrentHashMap<List<String>, LongAdder> cells = new ConcurrentHashMap<>();

  public LabelledCounter(String name, String help, String... labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames.clone();
  }

  /** The cell for these label values (in the order of the label names). */
  public LongAdder child(String... labelValues) {
    if (labelValues.length != labelNames.length) {
      throw new IllegalArgumentException(
          name
              + " takes labels "
              + Arrays.toString(labelNames)
              + ", got "
              + labelValues.length
              + " values");
    }
    return cells.computeIfAbsent(List.of(labelValues), k -> new LongAdder());
  }

  public long value(String... labelValues) {
    LongAdder cell = cells.get(List.of(labelValues));
    return cell == null ? 0 : cell.sum();
  }

  public void write(PrometheusTextWriter writer) {
    writer.family(name, "counter", help);
    // sorted so scrapes are stable and diffable
    Map<String, Map.Entry<List<String>, LongAdder>> sorted = new TreeMap<>();
    cells.entrySet().forEach(e -> sorted.put(String.join("\u0000", e.getKey()), e));
    for (Map.Entry<List<String>, LongAdder> e : sorted.values()) {
      String[] labels = new String[labelNames.length * 2];
      for (int i = 0; i < labelNames.length; i++) {
        labels[2 * i] = labelNames[i];
        labels[2 * i + 1] = e.getKey().get(i);
      }
      writer.sample(name, e.getValue().sum(), labels);
    }
  }
}
