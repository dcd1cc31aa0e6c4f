package io.vpngateway.gateway.openvpn.lab;

import io.vpngateway.testing.Wait;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test's side of the openvpn client's management interface ({@code --management PATH unix
 * --management-query-passwords}), as a GUI would use it: it reads every line the client prints
 * ({@code >PASSWORD:}, {@code >INFOMSG:}, {@code >STATE:}) and answers with commands ({@code
 * username}, {@code password}, {@code cr-response}). See openvpn's {@code
 * doc/management-notes.txt}.
 */
final class OpenVpnManagement implements AutoCloseable {
  private final SocketChannel channel;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;
  private int consumed;

  private OpenVpnManagement(SocketChannel channel) {
    this.channel = channel;
    BufferedReader in =
        new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
            StandardCharsets.UTF_8));
    reader = new Thread(() -> {
      try {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "openvpn-management");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects once the client has created its socket. */
  static OpenVpnManagement connect(Path socket, Duration timeout) throws IOException {
    Wait.until("management socket " + socket, timeout, () -> Files.exists(socket));
    SocketChannel[] c = new SocketChannel[1];
    Wait.until("connection to " + socket, timeout, () -> {
      try {
        c[0] = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    OpenVpnManagement m = new OpenVpnManagement(c[0]);
    m.send("state on");
    return m;
  }

  /**
   * Waits for the next line (after the last one awaited) that matches {@code regex} and returns
   * its match.
   */
  Matcher await(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    Matcher[] found = new Matcher[1];
    Wait.until("management line /" + regex + "/", timeout, () -> {
      synchronized (lines) {
        for (int i = consumed; i < lines.size(); i++) {
          Matcher m = p.matcher(lines.get(i));
          if (m.find()) {
            consumed = i + 1;
            found[0] = m;
            return true;
          }
        }
        return false;
      }
    }, this::transcript);
    return found[0];
  }

  /** Sends one command line. */
  void send(String command) {
    try {
      ByteBuffer b = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers a {@code >PASSWORD:Need 'Auth'} query. */
  void login(String user, String password) {
    send("username \"Auth\" " + quote(user));
    send("password \"Auth\" " + quote(password));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  String transcript() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
