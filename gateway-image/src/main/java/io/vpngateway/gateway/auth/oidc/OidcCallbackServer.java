package io.vpngateway.gateway.auth.oidc;

import com.sun.net.httpserver.HttpExchange;
import io.vpngateway.gateway.http.HttpListener;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The gateway's HTTPS sign-in endpoint ({@link HttpListener}: Jetty, idle without waking up),
 * presenting the gateway's server
 * certificate:
 *
 * <pre>
 *   GET …/start/{id}   302 to the issuer's authorization endpoint (the link the VPN client shows)
 *   GET …/callback     the issuer's redirect back: code + state → the waiting client is admitted
 * </pre>
 *
 * Any path prefix is accepted (the redirect URI may sit behind a reverse proxy that adds one).
 * Pages are static text: no script, no framing, no caching, no referrer (the callback URL carries
 * the code). The certificate can be swapped at run time ({@link #updateCertificate}) and applies to
 * the next TLS handshake.
 */
public final class OidcCallbackServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OidcCallbackServer.class.getName());
  static final int THREADS = 8;

  /** Browsers open a few connections each; more than this wait in the accept queue. */
  private static final int CONNECTIONS = 64;

  /** The callback's query (code, state) is well under this; {@link #query} reads 8 KiB at most. */
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private HttpListener server;
  private final SwappableKeyManager keys;
  private final WebSignIn signIn;

  private OidcCallbackServer(SwappableKeyManager keys, WebSignIn signIn) {
    this.keys = keys;
    this.signIn = signIn;
  }

  /**
   * Listens on {@code address} with {@code chain} (leaf first) and {@code key}.
   *
   * @throws IOException when the port cannot be bound
   */
  public static OidcCallbackServer start(
      InetSocketAddress address, List<X509Certificate> chain, PrivateKey key, WebSignIn signIn)
      throws IOException {
    SwappableKeyManager keys = new SwappableKeyManager(chain, key);
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for the sign-in endpoint", e);
    }
    OidcCallbackServer s = new OidcCallbackServer(keys, signIn);
    s.server =
        HttpListener.start(
            "oidc-callback",
            address,
            Optional.of(tls),
            new HttpListener.Limits(THREADS, CONNECTIONS, IDLE_TIMEOUT, MAX_HEADER_BYTES),
            s::handle);
    return s;
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** A renewed server certificate; the next TLS handshake presents it. */
  public void updateCertificate(List<X509Certificate> chain, PrivateKey key) {
    keys.set(chain, key);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        page(exchange, new WebSignIn.Page(405, "Method not allowed", "Only GET is served here."));
        return;
      }
      URI uri = exchange.getRequestURI();
      String path = uri.getPath() == null ? "" : uri.getPath();
      int start = path.lastIndexOf("/start/");
      if (start >= 0) {
        String id = path.substring(start + "/start/".length());
        var target = signIn.authorizationRequest(id);
        if (target.isEmpty()) {
          page(exchange, new WebSignIn.Page(404, "Sign-in link expired",
              "This sign-in link is unknown, already used or timed out. Connect the VPN again."));
          return;
        }
        secureHeaders(exchange);
        exchange.getResponseHeaders().set("Location", target.get().toString());
        exchange.sendResponseHeaders(302, -1);
        return;
      }
      if (path.endsWith("/callback")) {
        Map<String, String> q = query(uri.getRawQuery());
        page(exchange, signIn.callback(q.get("state"), q.get("code"), q.get("error")));
        return;
      }
      page(exchange, new WebSignIn.Page(404, "Not found", "Nothing is served here."));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "sign-in endpoint: request failed", e);
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.length() > 8192) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      try {
        out.putIfAbsent(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape: skip the pair, the flow then fails as for a missing parameter
      }
    }
    return out;
  }

  private static void secureHeaders(HttpExchange exchange) {
    var h = exchange.getResponseHeaders();
    h.set("Cache-Control", "no-store");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  }

  private static void page(HttpExchange exchange, WebSignIn.Page page) throws IOException {
    secureHeaders(exchange);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    byte[] body =
        ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
                + escape(page.title())
                + "</title></head><body style=\"font-family:sans-serif\"><h1>"
                + escape(page.title())
                + "</h1><p>"
                + escape(page.text())
                + "</p></body></html>\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(page.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    server.close();
  }

  /** Presents whichever certificate was set last. */
  private static final class SwappableKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "gateway";
    private volatile X509Certificate[] chain;
    private volatile PrivateKey key;

    SwappableKeyManager(List<X509Certificate> chain, PrivateKey key) {
      set(chain, key);
    }

    void set(List<X509Certificate> chain, PrivateKey key) {
      this.key = key;
      this.chain = chain.toArray(new X509Certificate[0]);
    }

    /** The alias only for the key's own type (an RSA key also serves RSASSA-PSS). */
    private String aliasFor(String keyType) {
      String algorithm = key.getAlgorithm();
      boolean fits =
          algorithm.equals(keyType) || ("RSA".equals(algorithm) && "RSASSA-PSS".equals(keyType));
      return fits ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      String alias = aliasFor(keyType);
      return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
