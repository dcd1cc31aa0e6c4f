package io.vpngateway.operator.gateway;

import io.vpngateway.api.pki.ManagementTls;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ManagementApi} over HTTPS: {@code GET /metrics} with {@code Authorization: Bearer} (RFC
 * 6750 section 2.1), the server verified against the gateway's own CA, reading the {@code vpngw_sessions{protocol="..."}} gauge of the Prometheus
 * text exposition format (version 0.0.4). {@code /metrics} rather than {@code /sessions}: its size
 * does not grow with the number of clients, and the gauge is already counted by protocol.
 *
 * <p>Every request is bounded by one timeout (connect and response); the caller waits on the
 * returned future, never on a socket.
 */
public final class HttpManagementApi implements ManagementApi {
  /** The gateway's live-sessions gauge; one sample per protocol. */
  static final String SESSIONS_GAUGE = "vpngw_sessions";

  // name{labels} value [timestamp]; the gateway writes protocol as the only label of this family
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^" + SESSIONS_GAUGE + "\\{([^}]*)}\\s+(\\S+)(?:\\s+-?\\d+)?\\s*$", Pattern.MULTILINE);
  private static final Pattern PROTOCOL_LABEL = Pattern.compile("(?:^|,)\\s*protocol=\"([^\"]*)\"");

  /** Gateways whose client is kept (one per CA and identity; a client holds its TLS context). */
  static final int CLIENTS = 64;

  private final Duration timeout;
  private final Map<ClientKey, HttpClient> clients =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, HttpClient> eldest) {
          return size() > CLIENTS;
        }
      };

  public HttpManagementApi(Duration timeout) {
    this.timeout = timeout;
  }

  private record ClientKey(X509Certificate ca, String identity) {}

  /**
   * One client per gateway CA: its TLS context trusts that CA alone and checks the gateway's
   * management identity (never trust-all, never the JDK's public roots).
   */
  private synchronized HttpClient client(ManagementApi.Access access) {
    return clients.computeIfAbsent(
        new ClientKey(access.ca(), access.identity()),
        key ->
            // HTTP/1.1: the gateway's JDK server does not speak h2, so skip the ALPN offer
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(ManagementTls.clientContext(key.ca(), key.identity()))
                .build());
  }

  /** 1/0 per RADIUS server ({@code server="host:port"}), from the gateway's RadiusServerHealth. */
  static final String RADIUS_UP_GAUGE = "vpngw_radius_server_up";
  /** 1/0 for the OIDC issuer ({@code issuer="https://..."}), from the gateway's OidcService. */
  static final String OIDC_UP_GAUGE = "vpngw_oidc_issuer_up";

  @Override
  public CompletableFuture<Map<String, Integer>> sessionsByProtocol(
      InetSocketAddress address, ManagementApi.Access access) {
    return report(address, access).thenApply(PodReport::sessionsByProtocol);
  }

  @Override
  public CompletableFuture<PodReport> report(InetSocketAddress address, ManagementApi.Access access) {
    HttpRequest request =
        HttpRequest.newBuilder(metricsUri(address))
            .timeout(timeout)
            .header("Authorization", "Bearer " + access.token())
            .header("Accept", "text/plain")
            .GET()
            .build();
    return client(access)
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> report(address, response));
  }

  private static PodReport report(InetSocketAddress address, HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new ManagementApiException(
          address + " answered " + response.statusCode() + " to GET /metrics");
    }
    Map<String, Integer> sessions =
        parse(response.body())
            .orElseThrow(
                () ->
                    new ManagementApiException(
                        address + ": GET /metrics has no " + SESSIONS_GAUGE + " samples"));
    return new PodReport(
        sessions,
        upGauge(response.body(), RADIUS_UP_GAUGE, "server"),
        upGauge(response.body(), OIDC_UP_GAUGE, "issuer"));
  }

  /**
   * The samples of a 1/0 gauge by the value of {@code label}; a sample without that label or with
   * another value is skipped (a gateway never writes one, and a guess would be worse than none).
   */
  static Map<String, Boolean> upGauge(String exposition, String gauge, String label) {
    Map<String, Boolean> up = new TreeMap<>();
    Matcher sample =
        Pattern.compile(
                "^" + gauge + "\\{([^}]*)}\\s+(\\S+)(?:\\s+-?\\d+)?\\s*$", Pattern.MULTILINE)
            .matcher(exposition);
    Pattern labelPattern = Pattern.compile("(?:^|,)\\s*" + label + "=\"((?:[^\"\\\\]|\\\\.)*)\"");
    while (sample.find()) {
      Matcher name = labelPattern.matcher(sample.group(1));
      if (!name.find()) {
        continue;
      }
      String value = sample.group(2);
      if (value.equals("1")) {
        up.put(name.group(1), true);
      } else if (value.equals("0")) {
        up.merge(name.group(1), false, Boolean::logicalAnd);
      }
    }
    return up;
  }

  /**
   * The {@code vpngw_sessions} samples of a Prometheus text exposition, by protocol; empty when the
   * family is absent (then the answer did not come from a gateway and counts nothing).
   */
  static Optional<Map<String, Integer>> parse(String exposition) {
    Map<String, Integer> byProtocol = new TreeMap<>();
    Matcher sample = SAMPLE.matcher(exposition);
    while (sample.find()) {
      Matcher protocol = PROTOCOL_LABEL.matcher(sample.group(1));
      if (!protocol.find()) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(sample.group(2));
      } catch (NumberFormatException e) {
        throw new ManagementApiException("not a number in a " + SESSIONS_GAUGE + " sample");
      }
      if (value < 0 || value > Integer.MAX_VALUE || value != Math.rint(value)) {
        throw new ManagementApiException("not a session count: " + sample.group(2));
      }
      byProtocol.merge(protocol.group(1), (int) value, Integer::sum);
    }
    return byProtocol.isEmpty() ? Optional.empty() : Optional.of(byProtocol);
  }

  private static URI metricsUri(InetSocketAddress address) {
    String host = address.getHostString();
    // an IPv6 pod IP needs brackets in a URI
    String authority = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("https://" + authority + ":" + address.getPort() + "/metrics");
  }

  /** A gateway answered, but not with something the operator can count. */
  static final class ManagementApiException extends RuntimeException {
    ManagementApiException(String message) {
      super(message, null, false, false);
    }
  }
}
