package io.vpngateway.gateway.cli;

import io.vpngateway.api.config.GatewayConfig;
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
      description = "Management API base URL (default http://127.0.0.1:<management port>).")
  String url;

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
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401) {
        throw new UserException(
            "the gateway refused the management token (401); check"
                + " --token-file / --state-dir");
      }
      return response;
    } catch (ConnectException e) {
      throw new UserException("no gateway answers at " + uri + "; is 'vpngw serve' running?");
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
    return "http://127.0.0.1:" + config().management().port();
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
