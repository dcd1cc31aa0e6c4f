package io.vpngateway.gateway.cli;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.standalone.StandaloneException;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the commands that talk to a running gateway's management API. The
 * token comes from {@code --token-file}, or from the state (or config) directory's token file.
 */
final class ManagementClient {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "State or config directory: its management.token and port are used.")
  Path stateDir;

  @Option(names = "--token-file", paramLabel = "FILE", description = "The management token.")
  Path tokenFile;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Management API base URL (default https://127.0.0.1:<management port>, http:// for a"
              + " config without a management certificate).")
  String url;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "The gateway's CA certificate, the only one trusted for https (default: the state"
              + " directory's ca.crt).")
  Path caFile;

  HttpResponse<String> send(String method, String path) throws UserException {
    String token = token();
    URI uri;
    try {
      uri = URI.create(baseUrl() + path);
    } catch (IllegalArgumentException e) {
      throw new UserException("--url is not a URL: " + url);
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      client.sslContext(ManagementTls.clientContext(caCertificate(), identity(uri)));
    }
    try {
      HttpResponse<String> response =
          client.build().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401) {
        throw new UserException(
            "the gateway refused the management token (401); check"
                + " --token-file / --state-dir");
      }
      return response;
    } catch (ConnectException e) {
      throw new UserException("no gateway answers at " + uri + "; is 'vpngw serve' running?");
    } catch (javax.net.ssl.SSLException e) {
      throw new UserException(
          "the gateway at "
              + uri
              + " is not the one whose CA is trusted ("
              + e.getMessage()
              + "); check --ca-file / --state-dir",
          e);
    } catch (IOException e) {
      throw new UserException("calling " + uri + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted");
    }
  }

  private String baseUrl() throws UserException {
    if (url != null) {
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
    if (stateDir == null) {
      throw new UserException("give --state-dir DIR, or --url URL with --token-file FILE");
    }
    GatewayConfig config = config();
    String scheme = config.files().managementCertificate() == null ? "http" : "https";
    return scheme + "://127.0.0.1:" + config.management().port();
  }

  /** The one CA trusted for https: {@code --ca-file}, else the state directory's. */
  private X509Certificate caCertificate() throws UserException {
    Path file = caFile;
    if (file == null) {
      if (stateDir == null) {
        throw new UserException("an https --url needs --ca-file FILE (the gateway's CA) or --state-dir");
      }
      file = stateDir.resolve(config().files().caCertificate());
    }
    try {
      return Pem.decodeCertificate(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      throw new UserException("cannot read the CA certificate " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The name the management certificate must carry: the gateway's identity when the state
   * directory says which gateway, else the host of the URL (a standalone certificate names the
   * loopback addresses).
   */
  private String identity(URI uri) throws UserException {
    if (stateDir != null) {
      GatewayConfig config = config();
      return ManagementTls.identity(config.gateway().namespace(), config.gateway().name());
    }
    String host = uri.getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private String token() throws UserException {
    Path file = tokenFile;
    if (file == null) {
      if (stateDir == null) {
        throw new UserException("give --token-file FILE or --state-dir DIR");
      }
      file = stateDir.resolve(config().files().managementToken());
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UserException(
          "cannot read the management token " + file + ": " + e.getMessage(), e);
    }
  }

  private GatewayConfig config() throws UserException {
    try {
      return StateDirectory.readConfig(stateDir.toAbsolutePath());
    } catch (StandaloneException e) {
      throw new UserException(
          e.getMessage()
              + " ("
              + ConfigDirectoryLoader.CONFIG_FILE
              + " is needed to find the management port and token)",
          e);
    }
  }
}
