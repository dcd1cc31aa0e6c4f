package io.vpngateway.gateway.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram of durations in seconds with fixed buckets, one series per label value.
 * Recording is allocation-free: it finds the bucket and increments a {@link LongAdder}.
 */
public final class LatencyHistogram {
  /**
   * Upper bounds in seconds: 1 ms to 10 s, covering a local CA check up to a slow RADIUS server.
   */
  static final double[] BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final String name;
  private final String help;
  private final String labelName;
  private final String[] labelValues;
  private final LongAdder[][] buckets;
  private final LongAdder[] counts;
  private final LongAdder[] sumNanos;

  /** One series per value of {@code labelName}, known up front (e.g. the protocols). */
  public LatencyHistogram(String name, String help, String labelName, String... labelValues) {
    this.name = name;
    this.help = help;
    this.labelName = labelName;
    this.labelValues = labelValues.clone();
    this.buckets = new LongAdder[labelValues.length][BOUNDS.length];
    this.counts = new LongAdder[labelValues.length];
    this.sumNanos = new LongAdder[labelValues.length];
    for (int s = 0; s < labelValues.length; s++) {
      for (int b = 0; b < BOUNDS.length; b++) {
        buckets[s][b] = new LongAdder();
      }
      counts[s] = new LongAdder();
      sumNanos[s] = new LongAdder();
    }
  }

  /** Records one observation for the series at {@code seriesIndex}. */
  public void record(int seriesIndex, long nanos) {
    double seconds = nanos / 1e9;
    for (int b = 0; b < BOUNDS.length; b++) {
      if (seconds <= BOUNDS[b]) {
        buckets[seriesIndex][b].increment();
        break;
      }
    }
    counts[seriesIndex].increment();
    sumNanos[seriesIndex].add(nanos);
  }

  public long count(int seriesIndex) {
    return counts[seriesIndex].sum();
  }

  void write(PrometheusTextWriter writer) {
    writer.family(name, "histogram", help);
    for (int s = 0; s < labelValues.length; s++) {
      long cumulative = 0;
      for (int b = 0; b < BOUNDS.length; b++) {
        cumulative += buckets[s][b].sum();
        writer.sample(
            name + "_bucket",
            cumulative,
            labelName,
            labelValues[s],
            "le",
            PrometheusTextWriter.format(BOUNDS[b]));
      }
      writer.sample(name + "_bucket", counts[s].sum(), labelName, labelValues[s], "le", "+Inf");
      writer.sample(name + "_sum", sumNanos[s].sum() / 1e9, labelName, labelValues[s]);
      writer.sample(name + "_count", counts[s].sum(), labelName, labelValues[s]);
    }
  }
}
