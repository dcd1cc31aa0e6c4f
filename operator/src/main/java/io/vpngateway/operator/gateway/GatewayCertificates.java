package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Certificates;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.api.pki.ServerCertificates.ServerTls;
import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.config.OperatorConfig;
import io.vpngateway.operator.support.SecretData;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps or makes a gateway's CA, server certificate and CRL. Existing material is kept byte for
 * byte while it is usable, so an unchanged gateway writes nothing; the CA is made only when the
 * gateway never had one (a lost CA is the caller's condition, never a new CA).
 */
public final class GatewayCertificates {
  /** Key of a new gateway CA and server certificate: P-256 is accepted by every target client. */
  static final KeySpec KEY_SPEC = KeySpec.EC_P256;

  /** PEM text to write, plus when something must next be renewed. */
  public record Material(
      String caCertificatePem,
      String caKeyPem,
      Optional<ServerTls> server,
      ServerTls management,
      String crlPem,
      String tlsCryptV2ServerKeyPem,
      Instant renewAt) {}

  private final OperatorConfig.Pki pki;
  private final SecureRandom random = new SecureRandom();

  GatewayCertificates(OperatorConfig.Pki pki) {
    this.pki = pki;
  }

  /**
   * @param names the server certificate's wanted SANs, or empty when the user brings their own
   */
  Material prepare(
      VpnGateway gateway,
      Optional<Secret> caSecret,
      Optional<Secret> serverSecret,
      Optional<Secret> crlSecret,
      Optional<Secret> configSecret,
      GatewayConfig.Files files,
      Optional<ServerNames> names,
      Instant now) {
    String caCertPem;
    String caKeyPem;
    CertificateAuthority ca;
    if (caSecret.isPresent()) {
      caCertPem = required(caSecret.get(), ConfigFiles.TLS_CERT_KEY);
      caKeyPem = required(caSecret.get(), ConfigFiles.TLS_KEY_KEY);
      ca = CertificateAuthority.fromPem(caCertPem, caKeyPem);
    } else {
      ca =
          CertificateAuthority.create(
              gateway.getMetadata().getName(), KEY_SPEC, now, pki.caValidity());
      caCertPem = ca.certificatePem();
      caKeyPem = ca.privateKeyPem();
    }
    Instant renewAt =
        Certificates.renewalTime(ca.certificate(), pki.serverCertificateRenewBefore());
    Optional<ServerTls> server = Optional.empty();
    if (names.isPresent()) {
      server = Optional.of(server(ca, serverSecret, names.get(), now));
      X509Certificate cert = Pem.decodeCertificate(server.get().certificatePem());
      renewAt = min(renewAt, Certificates.renewalTime(cert, pki.serverCertificateRenewBefore()));
    }
    ServerTls management = management(ca, gateway, configSecret, files, now);
    renewAt =
        min(
            renewAt,
            Certificates.renewalTime(
                Pem.decodeCertificate(management.certificatePem()), ManagementTls.RENEW_BEFORE));
    String crlPem = crl(ca, crlSecret, now);
    renewAt = min(renewAt, RevocationList.renewalTime(Pem.decodeCrl(crlPem), pki.crlRenewBefore()));
    return new Material(
        caCertPem, caKeyPem, server, management, crlPem, tlsCryptV2ServerKey(crlSecret), renewAt);
  }

  private ServerTls server(
      CertificateAuthority ca, Optional<Secret> actual, ServerNames names, Instant now) {
    Optional<String> certPem = actual.flatMap(s -> SecretData.get(s, ConfigFiles.TLS_CERT_KEY));
    Optional<String> keyPem = actual.flatMap(s -> SecretData.get(s, ConfigFiles.TLS_KEY_KEY));
    Optional<ServerTls> existing =
        certPem.isPresent() && keyPem.isPresent()
            ? Optional.of(new ServerTls(certPem.get(), keyPem.get()))
            : Optional.empty();
    ServerCertificateRequest wanted =
        new ServerCertificateRequest(
            names.dnsNames().get(0),
            names.dnsNames(),
            names.ipAddresses(),
            KEY_SPEC,
            pki.serverCertificateValidity());
    return ServerCertificates.keepOrIssue(
        ca, existing, wanted, pki.serverCertificateRenewBefore(), now);
  }

  /**
   * The management API's certificate ({@link ManagementTls}), kept in the config Secret beside the
   * token while usable. It names the gateway's identity only: the operator dials pod IPs.
   */
  private static ServerTls management(
      CertificateAuthority ca,
      VpnGateway gateway,
      Optional<Secret> configSecret,
      GatewayConfig.Files files,
      Instant now) {
    Optional<String> certPem =
        configSecret.flatMap(s -> SecretData.get(s, files.managementCertificate()));
    Optional<String> keyPem = configSecret.flatMap(s -> SecretData.get(s, files.managementKey()));
    Optional<ServerTls> existing =
        certPem.isPresent() && keyPem.isPresent()
            ? Optional.of(new ServerTls(certPem.get(), keyPem.get()))
            : Optional.empty();
    return ManagementTls.keepOrIssue(
        ca,
        existing,
        gateway.getMetadata().getNamespace(),
        gateway.getMetadata().getName(),
        java.util.List.of(),
        now);
  }

  private String crl(CertificateAuthority ca, Optional<Secret> actual, Instant now) {
    Optional<String> pem = actual.flatMap(s -> SecretData.get(s, ConfigFiles.CRL_KEY));
    Optional<X509CRL> previous = pem.flatMap(RevocationList::decode);
    X509CRL crl =
        RevocationList.current(ca, previous, now, pki.crlValidity(), pki.crlRenewBefore());
    // the stored text itself while it is kept: an unchanged gateway writes nothing
    return previous.isPresent() && crl == previous.get() ? pem.get() : Pem.encode(crl);
  }

  /**
   * The OpenVPN tls-crypt-v2 server key (openvpn {@code doc/tls-crypt-v2.txt}): made once, kept
   * with the CRL. Replacing it would invalidate every client profile's wrapped key.
   */
  private String tlsCryptV2ServerKey(Optional<Secret> crlSecret) {
    Optional<String> pem =
        crlSecret.flatMap(s -> SecretData.get(s, ConfigFiles.TLS_CRYPT_V2_SERVER_KEY));
    if (pem.isPresent()) {
      try {
        TlsCryptV2ServerKey.parse(pem.get());
        return pem.get();
      } catch (OpenVpnKeyFormatException e) {
        throw new PkiException(
            "Secret '"
                + crlSecret.get().getMetadata().getName()
                + "' key '"
                + ConfigFiles.TLS_CRYPT_V2_SERVER_KEY
                + "' is not a tls-crypt-v2 server key: "
                + e.getMessage());
      }
    }
    return TlsCryptV2ServerKey.generate(random).toPem();
  }

  private static String required(Secret secret, String key) {
    return SecretData.get(secret, key)
        .orElseThrow(
            () ->
                new PkiException(
                    "Secret '" + secret.getMetadata().getName() + "' has no key '" + key + "'"));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
