package io.vpngateway.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One line per log record for container logs: UTC time to the millisecond, level, logger name,
 * message, then the stack trace of a throwable if any ({@code 2026-12-07T00:18:22.968Z INFO
 * io.vpngateway...OpenVpnClientSession: ...}).
 *
 * <p>Written by hand rather than as a {@link SimpleFormatter} pattern: {@code String.format} with
 * its date conversions was a tenth of the control thread's CPU in a profile of OpenVPN handshakes
 * (two lines per connect). Setting {@code java.util.logging.SimpleFormatter.format} or a logging
 * config file keeps the JDK's formatter with that pattern.
 */
final class LogFormat extends Formatter {
  private static final String LINE_SEPARATOR = System.lineSeparator();

  static void install() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") != null
        || System.getProperty("java.util.logging.config.file") != null
        || System.getProperty("java.util.logging.config.class") != null) {
      return;
    }
    LogFormat format = new LogFormat();
    for (Handler h : Logger.getLogger("").getHandlers()) {
      if (h.getFormatter() instanceof SimpleFormatter) {
        h.setFormatter(format);
      }
    }
  }

  @Override
  public String format(LogRecord record) {
    StringBuilder b = new StringBuilder(160);
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(
            record.getInstant().getEpochSecond(), record.getInstant().getNano(), ZoneOffset.UTC);
    pad(b, t.getYear(), 4).append('-');
    pad(b, t.getMonthValue(), 2).append('-');
    pad(b, t.getDayOfMonth(), 2).append('T');
    pad(b, t.getHour(), 2).append(':');
    pad(b, t.getMinute(), 2).append(':');
    pad(b, t.getSecond(), 2).append('.');
    pad(b, t.getNano() / 1_000_000, 3).append("Z ");
    String level = record.getLevel().getLocalizedName();
    b.append(level);
    for (int i = level.length(); i < 7; i++) {
      b.append(' ');
    }
    b.append(' ').append(record.getLoggerName()).append(": ").append(formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      try (PrintWriter w = new PrintWriter(trace)) {
        w.println();
        record.getThrown().printStackTrace(w);
      }
      b.append(trace);
    }
    return b.append(LINE_SEPARATOR).toString();
  }

  private static StringBuilder pad(StringBuilder b, int value, int digits) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < digits; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
