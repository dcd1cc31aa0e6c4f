package io.vpngateway.gateway.config;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One complete, validated configuration: the document plus every file it names, parsed. Immutable;
 * a reload builds a new one and swaps it in whole, so a handshake never sees half of an update.
 *
 * @param document the validated config document
 * @param directory where it was read from
 * @param caCertificate the built-in CA (issuer of client and server certificates)
 * @param serverCertificateChain the server certificate first, then any intermediates in the file
 * @param serverKey the server certificate's private key (checked to match it)
 * @param crl the CA's CRL, when the directory has one (signature checked against the CA)
 * @param trustedRoots extra trusted roots, in {@code authentication.certificate.trustedRoots} order
 * @param tlsCryptV2ServerKey the OpenVPN tls-crypt-v2 server key, when OpenVPN is on
 * @param authTokenKey the HMAC key of OpenVPN auth-tokens (shared by all replicas), decoded from
 *     the base64 text of its file
 * @param managementToken the bearer token of the management API
 * @param radiusSecrets RADIUS shared secrets by file name ({@code radius-0.secret} ...)
 * @param oidcFiles the OIDC client secret and issuer roots (empty values without OIDC)
 * @param fingerprint SHA-256 over every byte read, to tell a real change from a touch
 * @param managementTls the management API's certificate and key, when the document names them
 */
public record RuntimeConfig(
    GatewayConfig document,
    Path directory,
    X509Certificate caCertificate,
    List<X509Certificate> serverCertificateChain,
    PrivateKey serverKey,
    Optional<X509CRL> crl,
    List<X509Certificate> trustedRoots,
    Optional<TlsCryptV2ServerKey> tlsCryptV2ServerKey,
    Optional<SecretBytes> authTokenKey,
    SecretBytes managementToken,
    Map<String, SecretBytes> radiusSecrets,
    OidcFiles oidcFiles,
    String fingerprint,
    Optional<ManagementTlsFiles> managementTls) {

  /**
   * The management API's certificate chain (issued by the gateway's CA) and key, when the document
   * names them.
   */
  public record ManagementTlsFiles(List<X509Certificate> chain, PrivateKey key) {
    public ManagementTlsFiles {
      chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "ManagementTlsFiles[" + chain.get(0).getSubjectX500Principal() + "]";
    }
  }

  /** As the canonical constructor, without management TLS (plain HTTP). */
  public RuntimeConfig(
      GatewayConfig document,
      Path directory,
      X509Certificate caCertificate,
      List<X509Certificate> serverCertificateChain,
      PrivateKey serverKey,
      Optional<X509CRL> crl,
      List<X509Certificate> trustedRoots,
      Optional<TlsCryptV2ServerKey> tlsCryptV2ServerKey,
      Optional<SecretBytes> authTokenKey,
      SecretBytes managementToken,
      Map<String, SecretBytes> radiusSecrets,
      OidcFiles oidcFiles,
      String fingerprint) {
    this(
        document,
        directory,
        caCertificate,
        serverCertificateChain,
        serverKey,
        crl,
        trustedRoots,
        tlsCryptV2ServerKey,
        authTokenKey,
        managementToken,
        radiusSecrets,
        oidcFiles,
        fingerprint,
        Optional.empty());
  }

  public RuntimeConfig {
    managementTls = managementTls == null ? Optional.empty() : managementTls;
    serverCertificateChain = List.copyOf(serverCertificateChain);
    trustedRoots = List.copyOf(trustedRoots);
    radiusSecrets = Map.copyOf(radiusSecrets);
    oidcFiles = oidcFiles == null ? OidcFiles.none() : oidcFiles;
  }

  public X509Certificate serverCertificate() {
    return serverCertificateChain.get(0);
  }

  /** Every root a client certificate may chain to: the built-in CA (when on) and trusted roots. */
  public List<X509Certificate> clientTrustAnchors() {
    GatewayConfig.Certificate cert = document.authentication().certificate();
    if (cert == null) {
      return List.of();
    }
    if (!cert.builtInCa()) {
      return trustedRoots;
    }
    java.util.ArrayList<X509Certificate> all = new java.util.ArrayList<>();
    all.add(caCertificate);
    all.addAll(trustedRoots);
    return List.copyOf(all);
  }

  @Override
  public String toString() {
    // the record's default would print the private key object and secrets' sizes; keep it short
    return "RuntimeConfig[" + directory + ", fingerprint " + fingerprint.substring(0, 12) + "]";
  }
}
