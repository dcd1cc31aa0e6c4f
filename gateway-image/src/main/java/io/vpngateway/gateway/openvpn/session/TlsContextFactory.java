package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the server-mode {@link SSLEngine}s of the control channel: server certificate, client
 * certificate required, protocol versions from {@code tlsMinVersion}, optional suite list.
 *
 * <p>Trust is split on purpose: the engine only checks that the client proves possession of the
 * key of the certificate it sent (CertificateVerify); whether that chain is acceptable (PKIX to
 * the gateway's roots, EKU, revocation) is decided after the handshake by the gateway's {@code
 * CertificateAuthenticator}, whose refusal reason is sent to the client as {@code AUTH_FAILED}
 * instead of an opaque TLS alert, and which reads the live config on every (re)negotiation.
 */
public final class TlsContextFactory {
  private final SSLContext context;
  private final String[] protocols;
  private final String[] suites;

  public TlsContextFactory(OpenVpnServerSettings settings) throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] pw = "in-memory".toCharArray();
    ks.setKeyEntry("server", settings.serverPrivateKey(), pw,
        settings.serverCertificateChain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new TrustManager[] {new ChainCollectingTrustManager()},
        null);
    protocols = settings.tlsMinVersion().equals("TLSv1.3")
        ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
    SSLEngine probe = context.createSSLEngine();
    List<String> supported = Arrays.asList(probe.getSupportedCipherSuites());
    List<String> chosen = new ArrayList<>();
    for (String s : settings.tlsCipherSuites()) {
      if (!supported.contains(s)) {
        throw new GeneralSecurityException("TLS cipher suite not supported by this JDK: " + s);
      }
      chosen.add(s);
    }
    suites = chosen.isEmpty() ? null : chosen.toArray(new String[0]);
  }

  public SSLEngine newEngine() {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(false);
    e.setNeedClientAuth(true);
    e.setEnabledProtocols(protocols);
    if (suites != null) {
      e.setEnabledCipherSuites(suites);
    }
    return e;
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
