package io.vpngateway.testing;

/**
 * The summary of one iperf3 client run ({@code -J}).
 *
 * @param bitsPerSecond goodput at the receiver ({@code end.sum_received} for TCP, {@code end.sum}
 *     for UDP)
 * @param retransmits TCP retransmissions at the sender (0 for UDP)
 * @param lostPercent UDP loss (0 for TCP)
 * @param json the whole report, for the test log
 */
public record IperfResult(double bitsPerSecond, long retransmits, double lostPercent, String json) {
  public double megabitsPerSecond() {
    return bitsPerSecond / 1e6;
  }
}
