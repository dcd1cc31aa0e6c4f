package io.vpngateway.gateway.lab;

import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.Prerequisites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real FreeRADIUS 3.2 server run by a test from a private config directory of its own (never
 * {@code /etc/freeradius}), on loopback with free ports or inside a lab network namespace; {@link
 * #close()} stops it. Reusable by every test that needs a RADIUS peer (OpenVPN auth-user-pass, the
 * EAP relay of IKEv2 and SSTP).
 *
 * <p>The config is the minimal one PEERS.md proved: PAP, CHAP, MS-CHAP(v2), EAP-MSCHAPv2 and (with
 * {@link Builder#eapTls}) EAP-TLS, accounting into a {@code detail} file ({@link
 * #accountingRecords()}), {@code reject_delay = 0}, users from {@link Builder#user}. {@link
 * Builder#challengeUser} adds a user whose correct password gets an Access-Challenge ("Enter the
 * code from your token") and whose State + code gets the Accept: an MFA server in miniature.
 *
 * <pre>{@code
 * try (FreeRadiusServer radius = FreeRadiusServer.builder(tempDir)
 *     .secret("s3cret").user("alice", "alice-pw", "Class = \"engineering\"").start()) {
 *   int port = radius.authPort();          // on 127.0.0.1
 *   ...
 *   radius.awaitOutput("MS-MPPE-Recv-Key = 0x", Duration.ofSeconds(5));   // -X debug output
 * }
 * }</pre>
 */
public final class FreeRadiusServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final String address;
  private final int authPort;
  private final int accountingPort;
  private final LabProcess process;

  private FreeRadiusServer(
      Path dir, String address, int authPort, int accountingPort, LabProcess process) {
    this.dir = dir;
    this.address = address;
    this.authPort = authPort;
    this.accountingPort = accountingPort;
    this.process = process;
  }

  /** A server whose config, logs and accounting records live under {@code workDir}. */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  public String address() {
    return address;
  }

  public int authPort() {
    return authPort;
  }

  public int accountingPort() {
    return accountingPort;
  }

  public InetSocketAddress authAddress() {
    return new InetSocketAddress(address, authPort);
  }

  public Path directory() {
    return dir;
  }

  /** Everything the server printed ({@code -X}: every packet with its attributes, decrypted). */
  public String output() {
    return process.output();
  }

  /** Waits until a line of the output contains {@code regex} (a find) and returns it. */
  public String awaitOutput(String regex, Duration timeout) {
    return process.awaitLine(regex, timeout);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The accounting records the server wrote to its detail file, each as attribute name -> value
   * (quotes removed), in arrival order.
   */
  public List<Map<String, String>> accountingRecords() {
    Path detail = dir.resolve("log/detail");
    List<Map<String, String>> records = new ArrayList<>();
    if (!Files.exists(detail)) {
      return records;
    }
    String text;
    try {
      text = Files.readString(detail, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> current = null;
    Pattern pair = Pattern.compile("^\\s+([A-Za-z0-9-]+) = (.*)$");
    for (String line : text.split("\n")) {
      Matcher m = pair.matcher(line);
      if (m.matches() && current != null) {
        current.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
      } else if (!line.isBlank() && !line.startsWith("\t") && !line.startsWith(" ")) {
        current = new LinkedHashMap<>();
        records.add(current);
      }
    }
    return records;
  }

  @Override
  public void close() {
    process.close();
  }

  /** How to build the server. */
  public static final class Builder {
    private final Path workDir;
    private String secret = "testing123";
    private String address = "127.0.0.1";
    private String clientNetwork = "127.0.0.1";
    private int authPort;
    private int accountingPort;
    private Netns netns;
    private boolean debug = true;
    private final StringBuilder users = new StringBuilder();
    private final List<String[]> challengeUsers = new ArrayList<>();
    private String[] eapTls;
    private boolean checkCrl;
    private String defaultEapType = "mschapv2";

    private Builder(Path workDir) {
      this.workDir = workDir;
    }

    public Builder secret(String value) {
      this.secret = value;
      return this;
    }

    /** The address to listen on (default 127.0.0.1; inside a namespace, one of its addresses). */
    public Builder listen(String value) {
      this.address = value;
      return this;
    }

    /** Which client addresses may talk to it (address or CIDR; default 127.0.0.1). */
    public Builder clients(String addressOrCidr) {
      this.clientNetwork = addressOrCidr;
      return this;
    }

    /** Fixed ports (default: free ports picked on loopback, 1812/1813 in a namespace). */
    public Builder ports(int auth, int accounting) {
      this.authPort = auth;
      this.accountingPort = accounting;
      return this;
    }

    /** Runs it inside {@code ns} (the lab stops it too). */
    public Builder in(Netns ns) {
      this.netns = ns;
      return this;
    }

    /**
     * {@code -X} (debug: single-threaded, every packet printed; the default) or {@code -f -l
     * stdout} (threaded, for load).
     */
    public Builder debug(boolean value) {
      this.debug = value;
      return this;
    }

    /**
     * A user with a clear-text password (good for PAP, CHAP, MS-CHAPv2, EAP-MSCHAPv2) and reply
     * items in FreeRADIUS syntax, e.g. {@code Class = "engineering"}, {@code Framed-IP-Address =
     * 10.8.0.77}.
     */
    public Builder user(String name, String password, String... replyItems) {
      users.append(name).append(" Cleartext-Password := \"").append(password).append("\"\n");
      if (replyItems.length > 0) {
        users.append("    ").append(String.join(", ", replyItems)).append('\n');
      }
      users.append('\n');
      return this;
    }

    /**
     * A user answered with an Access-Challenge after the right password (PAP), then accepted when
     * the next request carries the State and {@code code} as its password.
     */
    public Builder challengeUser(String name, String password, String code, String className) {
      challengeUsers.add(new String[] {name, password, code, className});
      return this;
    }

    /** Enables EAP-TLS with these PEM files (server certificate with serverAuth, key, client CA). */
    public Builder eapTls(Path serverCertificate, Path serverKey, Path clientCa) {
      this.eapTls = new String[] {serverCertificate.toString(), serverKey.toString(),
          clientCa.toString()};
      return this;
    }

    /**
     * Checks client certificates against the CRLs in the {@link #eapTls} client CA file (PEM CRLs
     * appended to it), as {@code check_crl = yes}: a revoked client certificate is refused.
     */
    public Builder checkCrl() {
      this.checkCrl = true;
      return this;
    }

    /**
     * The EAP method the server proposes first ({@code mschapv2} by default; {@code tls} for
     * clients that cannot Nak to EAP-TLS, such as pppd without an EAP-MSCHAPv2 password).
     */
    public Builder defaultEapType(String type) {
      this.defaultEapType = type;
      return this;
    }

    /** Writes the config, starts FreeRADIUS and waits until it is ready. */
    public FreeRadiusServer start() throws IOException {
      Path binary = Prerequisites.requireBinary("freeradius");
      Path dir = Files.createTempDirectory(workDir, "freeradius-");
      Files.createDirectories(dir.resolve("log"));
      Files.createDirectories(dir.resolve("run"));
      int auth = authPort;
      int acct = accountingPort;
      if (auth == 0) {
        auth = netns != null ? 1812 : freeUdpPort(address);
        acct = netns != null ? 1813 : freeUdpPort(address);
      }
      write(dir.resolve("radiusd.conf"), radiusdConf(dir, auth, acct));
      write(dir.resolve("users"), users.toString());
      List<String> cmd = new ArrayList<>(List.of(binary.toString()));
      cmd.addAll(debug ? List.of("-X") : List.of("-f", "-l", "stdout"));
      cmd.addAll(List.of("-d", dir.toString()));
      LabProcess p;
      if (netns != null) {
        p = netns.start("freeradius", cmd.toArray(String[]::new));
      } else {
        Path log = dir.resolve("freeradius.log");
        p = LabProcess.start("freeradius", cmd, log);
      }
      FreeRadiusServer server = new FreeRadiusServer(dir, address, auth, acct, p);
      try {
        p.awaitLine("Ready to process requests", START_TIMEOUT);
      } catch (AssertionError e) {
        server.close();
        // FreeRADIUS names the bad config line with "Error" or "Failed", often far above the tail
        String errors = String.join("\n", p.output().lines()
            .filter(l -> l.contains("rror") || l.contains("ailed")).toList());
        throw new AssertionError("FreeRADIUS did not start: " + errors, e);
      }
      return server;
    }

    private String radiusdConf(Path dir, int auth, int acct) {
      StringBuilder challenge = new StringBuilder();
      for (String[] u : challengeUsers) {
        challenge.append("""
                if (&User-Name == "%1$s") {
                  if (!&State) {
                    if (&User-Password == "%2$s") {
                      update reply {
                        &State := 0x63686c67
                        &Reply-Message := "Enter the code from your token"
                      }
                      update control {
                        &Response-Packet-Type := Access-Challenge
                      }
                      handled
                    }
                    reject
                  }
                  if (&State == 0x63686c67 && &User-Password == "%3$s") {
                    update reply {
                      &Class := "%4$s"
                    }
                    update control {
                      &Auth-Type := Accept
                    }
                    ok
                  }
                  else {
                    reject
                  }
                }
            """.formatted(u[0], u[1], u[2], u[3]));
      }
      String tls = eapTls == null ? "" : """
                tls-config tls-common {
                  private_key_file = %2$s
                  certificate_file = %1$s
                  ca_file = %3$s
                  tls_min_version = "1.2"
                  tls_max_version = "1.2"
                  cipher_list = "DEFAULT"
                  check_crl = %4$s
                }
                tls {
                  tls = tls-common
                }
          """.formatted(eapTls[0], eapTls[1], eapTls[2], checkCrl ? "yes" : "no");
      String[] client = clientNetwork.split("/");
      return """
          prefix = /usr
          confdir = %1$s
          logdir = %1$s/log
          run_dir = %1$s/run
          certdir = %1$s
          libdir = /usr/lib/freeradius
          pidfile = %1$s/run/radiusd.pid
          name = freeradius
          # FreeRADIUS keeps every request it answered for cleanup_delay (5 s) to spot duplicates,
          # and drops new ones beyond max_requests, whose built-in default is 256 (the stock
          # radiusd.conf sets 16384): without this, any load above ~50 requests/s saw a burst of
          # 256 answers, then drops that the client only recovers from by retransmitting after its
          # timeout ("Dropping request (257 is too many)" in the log)
          max_requests = 16384
          log {
            destination = stdout
            auth = yes
          }
          security {
            reject_delay = 0
            status_server = yes
            allow_vulnerable_openssl = yes
          }
          thread pool {
            start_servers = 4
            max_servers = 16
            min_spare_servers = 2
            max_spare_servers = 8
            max_requests_per_server = 0
          }
          client lab {
            ipaddr = %2$s
            %3$s
            secret = %4$s
            require_message_authenticator = no
          }
          modules {
            always ok {
              rcode = ok
            }
            always handled {
              rcode = handled
            }
            always reject {
              rcode = reject
            }
            pap {
            }
            chap {
            }
            mschap {
            }
            files {
              filename = ${confdir}/users
            }
            detail {
              filename = ${logdir}/detail
              permissions = 0600
              header = "%%t"
            }
            eap {
              default_eap_type = %10$s
              timer_expire = 60
              max_sessions = 1024
              mschapv2 {
              }
          %5$s
            }
          }
          server default {
            listen {
              type = auth
              ipaddr = %6$s
              port = %7$d
            }
            listen {
              type = acct
              ipaddr = %6$s
              port = %8$d
            }
            authorize {
          %9$s
              chap
              mschap
              eap {
                ok = return
              }
              files
              pap
            }
            authenticate {
              Auth-Type PAP {
                pap
              }
              Auth-Type CHAP {
                chap
              }
              Auth-Type MS-CHAP {
                mschap
              }
              eap
            }
            accounting {
              detail
              ok
            }
            post-auth {
              Post-Auth-Type REJECT {
                update reply {
                  &Class !* ANY
                  &Filter-Id !* ANY
                }
              }
            }
          }
          """.formatted(dir, client[0], client.length > 1 ? "netmask = " + client[1] : "",
              secret, tls, address, auth, acct, challenge, defaultEapType);
    }

    private static void write(Path file, String text) throws IOException {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static int freeUdpPort(String address) throws IOException {
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(address))) {
        return s.getLocalPort();
      }
    }
  }
}
