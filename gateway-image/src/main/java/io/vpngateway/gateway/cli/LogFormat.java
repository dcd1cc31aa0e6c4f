package io.vpngateway.gateway.cli;

/** One line per log record: time, level, logger's simple name, message (for container logs). */
final class LogFormat {
  private LogFormat() {}

  static void install() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s: %5$s%6$s%n");
    }
  }
}
