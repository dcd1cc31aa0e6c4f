package io.vpngateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogFormatTest {
  private static final String NL = System.lineSeparator();

  private static LogRecord record(Level level, String message, Object... params) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName("io.vpngateway.gateway.openvpn.session.OpenVpnClientSession");
    r.setInstant(Instant.parse("2026-01-02T03:04:05.067891Z"));
    r.setParameters(params);
    return r;
  }

  @Test
  void oneLineWithUtcMillisecondsPaddedLevelLoggerAndMessage() {
    assertEquals(
        "2026-01-02T03:04:05.067Z INFO    io.vpngateway.gateway.openvpn.session.OpenVpnClientSession:"
            + " ovpn-1: closed" + NL,
        new LogFormat().format(record(Level.INFO, "ovpn-1: closed")));
    assertEquals(
        "2026-01-02T03:04:05.067Z WARNING io.vpngateway.gateway.openvpn.session.OpenVpnClientSession:"
            + " 3 of 4" + NL,
        new LogFormat().format(record(Level.WARNING, "{0} of {1}", 3, 4)));
  }

  @Test
  void aThrowableFollowsOnItsOwnLines() {
    LogRecord r = record(Level.SEVERE, "failed");
    r.setThrown(new IllegalStateException("broken"));
    String line = new LogFormat().format(r);
    assertTrue(
        line.startsWith(
            "2026-01-02T03:04:05.067Z SEVERE  io.vpngateway.gateway.openvpn.session"
                + ".OpenVpnClientSession: failed" + NL + "java.lang.IllegalStateException: broken"
                + NL + "\tat io.vpngateway.gateway.cli.LogFormatTest.aThrowableFollowsOnItsOwnLines"),
        line);
    assertTrue(line.endsWith(NL));
  }

  @Test
  void yearsAndMidnightArePadded() {
    LogRecord r = record(Level.FINE, "x");
    r.setInstant(Instant.parse("0999-12-31T00:00:00Z"));
    assertEquals(
        "0999-12-31T00:00:00.000Z FINE    io.vpngateway.gateway.openvpn.session.OpenVpnClientSession:"
            + " x" + NL,
        new LogFormat().format(r));
  }
}
