package io.vpngateway.gateway.tls;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.config.RuntimeConfig;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The gateway's TLS server side, shared by the TLS-based protocols (OpenVPN's control channel,
 * SSTP): the server certificate and key, the versions and suites of the crypto policy, and
 * whether a client certificate is asked for. Immutable: a reload that renews the server
 * certificate, changes the policy or changes which authentication is on (and so whether a client
 * certificate is required, asked for or not asked for) builds a new one for the next handshakes.
 *
 * <p>Client certificates are only collected here, never judged: the engine checks that the client
 * holds the key of the certificate it sent (CertificateVerify), and whether the chain is
 * acceptable (PKIX to the gateway's roots, EKU, revocation) is decided after the handshake by the
 * gateway's {@code AuthenticationPipeline}, whose typed refusal reason reaches the client in the
 * protocol's own terms (OpenVPN {@code AUTH_FAILED,<reason>}) rather than as an opaque TLS alert,
 * and which reads the live config at every (re)negotiation.
 */
public final class ServerTlsContext {
  /** Whether the TLS handshake asks the client for a certificate. */
  public enum ClientCertificates {
    /** A client without one fails the handshake (OpenVPN on a certificate-only gateway). */
    REQUIRED,
    /** Asked for, optional (OpenVPN where a password or token may stand in for it). */
    REQUESTED,
    /** Not asked for (SSTP: the client authenticates inside PPP). */
    NONE
  }

  private final SSLContext context;
  private final String[] protocols;
  private final String[] suites;
  private final ClientCertificates clientCertificates;

  private ServerTlsContext(
      SSLContext context, String[] protocols, String[] suites, ClientCertificates mode) {
    this.context = context;
    this.protocols = protocols;
    this.suites = suites;
    this.clientCertificates = mode;
  }

  /**
   * @param minVersion {@code TLSv1.2} or {@code TLSv1.3}
   * @param cipherSuites JSSE names; empty means the JDK's defaults for the versions allowed
   * @throws GeneralSecurityException for a key that does not fit, or a suite this JDK lacks
   */
  public static ServerTlsContext create(
      List<X509Certificate> chain,
      PrivateKey key,
      String minVersion,
      List<String> cipherSuites,
      ClientCertificates mode)
      throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] pw = "in-memory".toCharArray();
    ks.setKeyEntry("server", key, pw, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        kmf.getKeyManagers(), new TrustManager[] {new ChainCollectingTrustManager()}, null);
    String[] protocols =
        "TLSv1.3".equals(minVersion)
            ? new String[] {"TLSv1.3"}
            : new String[] {"TLSv1.3", "TLSv1.2"};
    List<String> supported = Arrays.asList(context.createSSLEngine().getSupportedCipherSuites());
    List<String> chosen = new ArrayList<>();
    for (String s : cipherSuites) {
      if (!supported.contains(s)) {
        throw new GeneralSecurityException("TLS cipher suite not supported by this JDK: " + s);
      }
      chosen.add(s);
    }
    return new ServerTlsContext(
        context, protocols, chosen.isEmpty() ? null : chosen.toArray(new String[0]), mode);
  }

  /** From the config: its server certificate and the policy's {@code tls} part. */
  public static ServerTlsContext fromConfig(RuntimeConfig config, ClientCertificates mode)
      throws GeneralSecurityException {
    GatewayConfig.Crypto crypto = config.document().crypto();
    return create(
        config.serverCertificateChain(),
        config.serverKey(),
        javaVersionName(crypto.tlsMinVersion()),
        crypto.tlsCipherSuites(),
        mode);
  }

  /** The config document's {@code 1.2}/{@code 1.3} as a JSSE protocol name. */
  public static String javaVersionName(String documentVersion) {
    return "1.3".equals(documentVersion) ? "TLSv1.3" : "TLSv1.2";
  }

  /** A server-mode engine (OpenVPN drives TLS over its own reliable layer). */
  public SSLEngine newEngine() {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(false);
    switch (clientCertificates) {
      case REQUIRED -> e.setNeedClientAuth(true);
      case REQUESTED -> e.setWantClientAuth(true);
      case NONE -> e.setWantClientAuth(false);
    }
    e.setEnabledProtocols(protocols);
    if (suites != null) {
      e.setEnabledCipherSuites(suites);
    }
    return e;
  }

  /** Server sockets for protocols on blocking sockets (SSTP); configure each with {@link #apply}. */
  public SSLServerSocketFactory serverSocketFactory() {
    return context.getServerSocketFactory();
  }

  /** The context, for layering TLS over an accepted socket ({@code getSocketFactory()}). */
  public SSLContext sslContext() {
    return context;
  }

  /** Applies versions, suites and the client-certificate mode to a server-side socket. */
  public void apply(SSLSocket socket) {
    socket.setUseClientMode(false);
    switch (clientCertificates) {
      case REQUIRED -> socket.setNeedClientAuth(true);
      case REQUESTED -> socket.setWantClientAuth(true);
      case NONE -> socket.setWantClientAuth(false);
    }
    socket.setEnabledProtocols(protocols);
    if (suites != null) {
      socket.setEnabledCipherSuites(suites);
    }
  }

  /** Whether this context's handshakes ask the client for a certificate. */
  public ClientCertificates clientCertificates() {
    return clientCertificates;
  }

  public List<String> protocols() {
    return List.of(protocols);
  }

  /** Accepts any non-empty client chain at the TLS layer (see the class comment). */
  private static final class ChainCollectingTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("client sent no certificate");
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("server mode only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
        throws CertificateException {
      throw new CertificateException("server mode only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
        throws CertificateException {
      throw new CertificateException("server mode only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
