package io.vpngateway.api.pki;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS of a gateway's management API, shared by the gateway (which serves it), the operator and
 * {@code vpngw} (which call it). The gateway's own CA issues the management certificate: the
 * operator's CA into the gateway's config Secret, standalone the state directory's CA. A caller
 * trusts that one CA and nothing else, and checks the certificate names the gateway's management
 * identity ({@link #identity}), a dNSName that is never dialled: the operator connects to pod IPs,
 * which are not known when the certificate is issued. The CA also issues the VPN server certificate
 * and client certificates; a client certificate lacks the serverAuth extended key usage (checked by
 * the JDK's PKIX validation, RFC 5280 section 4.2.1.12), and neither carries the identity.
 */
public final class ManagementTls {
  /** Lifetime of a management certificate; renewed a third of it ahead (by the issuer). */
  public static final Duration VALIDITY = Duration.ofDays(90);

  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private ManagementTls() {}

  /**
   * The management identity of gateway {@code namespace/name}: {@code
   * management.NAME.NAMESPACE.vpngw} ({@code .vpngw} is not a public top-level domain; the name is
   * matched, never resolved).
   */
  public static String identity(String namespace, String name) {
    return ("management." + name + "." + namespace + ".vpngw").toLowerCase(Locale.ROOT);
  }

  /**
   * What to issue for the management API of {@code namespace/name}: the identity, plus {@code
   * extraNames} (names and addresses a human's tool dials, such as {@code 127.0.0.1} standalone).
   */
  public static ServerCertificateRequest request(
      String namespace, String name, List<String> extraNames) {
    List<String> all = new java.util.ArrayList<>();
    all.add(identity(namespace, name));
    all.addAll(extraNames);
    ServerNames names = ServerNames.of(all);
    return new ServerCertificateRequest(
        identity(namespace, name),
        names.dnsNames(),
        names.ipAddresses(),
        KeySpec.EC_P256,
        VALIDITY);
  }

  /** Keeps {@code existing} while usable for the request, else issues a new one from {@code ca}. */
  public static ServerCertificates.ServerTls keepOrIssue(
      CertificateAuthority ca,
      Optional<ServerCertificates.ServerTls> existing,
      String namespace,
      String name,
      List<String> extraNames,
      Instant now) {
    return ServerCertificates.keepOrIssue(
        ca, existing, request(namespace, name, extraNames), RENEW_BEFORE, now);
  }

  /**
   * A client context that trusts only {@code ca} and accepts only a serverAuth certificate whose
   * SANs include {@code identity} (a dNSName, or an iPAddress when it is an address literal),
   * whatever address was dialled.
   */
  public static SSLContext clientContext(X509Certificate ca, String identity) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null, new TrustManager[] {new IdentityTrustManager(pkix(ca), identity)}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot build the management API's TLS client context: " + e, e);
    }
  }

  private static X509TrustManager pkix(X509Certificate ca) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    store.setCertificateEntry("gateway-ca", ca);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /**
   * PKIX validation against the one CA (chain, validity, serverAuth), then the identity instead of
   * the dialled host: an {@link X509ExtendedTrustManager} of our own is not wrapped by the JDK, so
   * its host-name check (RFC 2818 section 3.1 against the URI host) is replaced by this one.
   */
  static final class IdentityTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager pkix;
    private final String identity;
    private final java.util.Set<String> wanted;

    IdentityTrustManager(X509TrustManager pkix, String identity) {
      this.pkix = pkix;
      this.identity = identity.toLowerCase(Locale.ROOT);
      this.wanted = ServerNames.of(List.of(this.identity)).asSet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      pkix.checkServerTrusted(chain, authType);
      if (!ServerNames.sansOf(chain[0]).containsAll(wanted)) {
        throw new CertificateException(
            "the management certificate does not name " + identity + ": not this gateway's");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a management API client trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return pkix.getAcceptedIssuers();
    }
  }
}
