package io.vpngateway.gateway.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTPS to the issuer: discovery, the JWK set (as Nimbus's {@link ResourceRetriever}) and the
 * token endpoint. One JDK client per settings, bounded in time (connect and whole request) and in
 * the size of what it reads, following no redirects: a JWKS or token response that redirects
 * elsewhere is refused rather than followed.
 */
public final class IssuerHttpClient implements ResourceRetriever {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Discovery documents and key sets are a few KiB; anything near this is not one. */
  static final int MAX_BODY_BYTES = 512 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;

  /**
   * @param issuerRoots roots the issuer's certificate must chain to; empty for the JVM's default
   *     trust store
   */
  private final java.util.concurrent.atomic.LongAdder waitedNanos =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder requests =
      new java.util.concurrent.atomic.LongAdder();

  public IssuerHttpClient(List<X509Certificate> issuerRoots) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1);
    if (!issuerRoots.isEmpty()) {
      b.sslContext(trusting(issuerRoots));
    }
    this.http = b.build();
  }

  private static SSLContext trusting(List<X509Certificate> roots) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < roots.size(); i++) {
        store.setCertificateEntry("issuer-root-" + i, roots.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot build a trust store of the issuer roots", e);
    }
  }

  /** GETs a JSON object. */
  public JsonNode getJson(URI uri) throws IssuerUnreachableException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .GET()
            .build();
    return json(uri, send(request));
  }

  /**
   * POSTs an {@code application/x-www-form-urlencoded} body and reads the JSON answer (a token
   * response, or an error response per RFC 6749 §5.2, which callers tell apart by its fields).
   *
   * @param basicAuthorization an {@code Authorization} header value, or null
   */
  public Answer postForm(URI uri, Map<String, String> form, String basicAuthorization)
      throws IssuerUnreachableException {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(encode(k) + "=" + encode(v)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (basicAuthorization != null) {
      b.header("Authorization", basicAuthorization);
    }
    Raw raw = send(b.build());
    return new Answer(raw.status(), json(uri, raw));
  }

  /** A JSON answer and its status. */
  public record Answer(int status, JsonNode body) {}

  /** Nimbus's JWKS fetch: the body as text, refused unless 200. */
  @Override
  public Resource retrieveResource(URL url) throws IOException {
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IssuerUnreachableException("bad JWKS address " + url);
    }
    Raw raw =
        send(
            HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build());
    if (raw.status() != 200) {
      throw new IssuerUnreachableException(uri + " answered HTTP " + raw.status());
    }
    return new Resource(new String(raw.body(), StandardCharsets.UTF_8), raw.contentType());
  }

  private record Raw(int status, byte[] body, String contentType) {}

  /**
   * Time spent waiting for the issuer so far, over every request (the auth benchmark subtracts it
   * from a login's time to get what the gateway adds), and how many requests that was.
   */
  public long waitedNanosTotal() {
    return waitedNanos.sum();
  }

  public long requestsTotal() {
    return requests.sum();
  }

  private Raw send(HttpRequest request) throws IssuerUnreachableException {
    long t0 = System.nanoTime();
    try {
      return exchange(request);
    } finally {
      waitedNanos.add(System.nanoTime() - t0);
      requests.increment();
    }
  }

  private Raw exchange(HttpRequest request) throws IssuerUnreachableException {
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
          throw new IssuerUnreachableException(
              request.uri() + " answered more than " + MAX_BODY_BYTES + " bytes");
        }
        return new Raw(
            response.statusCode(),
            body,
            response.headers().firstValue("Content-Type").orElse("application/json"));
      }
    } catch (IssuerUnreachableException e) {
      throw e;
    } catch (IOException e) {
      throw new IssuerUnreachableException(
          request.uri() + " unreachable: " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IssuerUnreachableException(request.uri() + ": interrupted", e);
    }
  }

  private static JsonNode json(URI uri, Raw raw) throws IssuerUnreachableException {
    try {
      JsonNode node = JSON.readTree(raw.body());
      if (node == null || !node.isObject()) {
        throw new IssuerUnreachableException(
            uri + " answered HTTP " + raw.status() + " without a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IssuerUnreachableException(
          uri + " answered HTTP " + raw.status() + " with invalid JSON", e);
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
