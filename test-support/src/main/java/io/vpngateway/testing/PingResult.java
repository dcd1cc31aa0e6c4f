package io.vpngateway.testing;

/** Packets sent and answered by one {@code ping -c} run. */
public record PingResult(int transmitted, int received, String output) {
  public boolean allReceived() {
    return transmitted > 0 && received == transmitted;
  }
}
