package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.TlsCryptV2ClientKey;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pkcs12Bundle;
import io.vpngateway.api.pki.RotationPolicy;
import io.vpngateway.api.profile.ClientIssuance;
import io.vpngateway.api.profile.ClientProfileInput;
import io.vpngateway.api.profile.ClientSecretData;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.operator.support.SecretData;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps or issues a client certificate and renders its Secret. Everything random (the key, the
 * PKCS#12 password and salt, the OpenVPN tls-crypt-v2 client key) is kept from the existing Secret
 * while the certificate is kept, so an unchanged ClientCertificate renders the same bytes and
 * causes no write; a gateway change (endpoint, protocols, CA) re-renders the profiles.
 */
final class ClientCertificateIssuer {
  /** Extra key of the output Secret: the client's wrapped tls-crypt-v2 key, kept across renders. */
  static final String TLS_CRYPT_V2_KEY = "tls-crypt-v2.key";

  /** What the gateway side contributes to a client's Secret. */
  record Gateway(
      String name,
      GatewayConfig config,
      CertificateAuthority ca,
      Optional<String> tlsCryptV2ServerKeyPem,
      String endpointHost,
      String serverName) {}

  private final SecureRandom random = new SecureRandom();

  Issuance.Issued issue(
      ClientCertificateSpec spec, Gateway gateway, Optional<Secret> existing, Instant now) {
    Duration renewBefore = ClientIssuance.renewBefore(spec);
    KeySpec keySpec = ClientIssuance.keySpec(spec.privateKey);
    Optional<IssuedCertificate> kept =
        existing.flatMap(s -> reusable(s, spec, gateway.ca(), keySpec, renewBefore, now));
    IssuedCertificate issued =
        kept.orElseGet(
            () ->
                gateway
                    .ca()
                    .issueClientCertificate(request(spec, keySpec, existing, gateway.ca()), now));
    Optional<Secret> sameCert = kept.isPresent() ? existing : Optional.empty();
    Pkcs12Bundle p12 =
        sameCert
            .flatMap(ClientCertificateIssuer::pkcs12)
            .orElseGet(() -> issued.toPkcs12(spec.commonName));
    String tlsCryptV2 = tlsCryptV2ClientKey(gateway, sameCert, now);
    Map<String, byte[]> data =
        new LinkedHashMap<>(ClientSecretData.of(issued, profile(gateway, issued, p12, tlsCryptV2)));
    if (tlsCryptV2 != null) {
      data.put(TLS_CRYPT_V2_KEY, tlsCryptV2.getBytes(StandardCharsets.US_ASCII));
    }
    return new Issuance.Issued(
        issued, data, issued.renewalTime(renewBefore), kept.isEmpty(), List.of());
  }

  /** The existing certificate, if it can stay: same CA, subject and key type, not due. */
  private static Optional<IssuedCertificate> reusable(
      Secret secret,
      ClientCertificateSpec spec,
      CertificateAuthority ca,
      KeySpec keySpec,
      Duration renewBefore,
      Instant now) {
    Optional<String> cert = SecretData.get(secret, ClientSecretData.CERTIFICATE);
    Optional<String> key = SecretData.get(secret, ClientSecretData.PRIVATE_KEY);
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    IssuedCertificate existing;
    try {
      existing = IssuedCertificate.fromPem(cert.get(), key.get(), ca.certificatePem());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    boolean same =
        ca.signed(existing.certificate())
            && !existing.needsRenewal(now, renewBefore)
            && sameSubject(existing.certificate(), existing.privateKey(), spec, keySpec);
    return same ? Optional.of(existing) : Optional.empty();
  }

  /**
   * Whether the certificate in {@code secret} was issued for a different CN, group set or key type
   * than {@code spec} asks for now: such a certificate grants what the spec no longer grants, so it
   * is revoked when it is replaced (a plain renewal keeps the old one valid until it expires).
   * False when the Secret holds no readable certificate.
   */
  static boolean subjectChanged(Secret secret, ClientCertificateSpec spec) {
    Optional<String> cert = SecretData.get(secret, ClientSecretData.CERTIFICATE);
    Optional<String> key = SecretData.get(secret, ClientSecretData.PRIVATE_KEY);
    if (cert.isEmpty() || key.isEmpty()) {
      return false;
    }
    try {
      return !sameSubject(
          io.vpngateway.api.pki.Pem.decodeCertificate(cert.get()),
          io.vpngateway.api.pki.Pem.decodePrivateKey(key.get()),
          spec,
          ClientIssuance.keySpec(spec.privateKey));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean sameSubject(
      X509Certificate cert, PrivateKey key, ClientCertificateSpec spec, KeySpec keySpec) {
    return ClientCertificates.commonNameOf(cert).orElse("").equals(spec.commonName)
        && ClientCertificates.groupsOf(cert)
            .equals(List.copyOf(new java.util.LinkedHashSet<>(ClientIssuance.groups(spec))))
        && KeySpec.of(key).equals(keySpec);
  }

  private static ClientCertificateRequest request(
      ClientCertificateSpec spec,
      KeySpec keySpec,
      Optional<Secret> existing,
      CertificateAuthority ca) {
    ClientCertificateRequest request = ClientIssuance.request(spec);
    boolean keepKey =
        spec.privateKey != null
            && spec.privateKey.rotationPolicy == PrivateKeySpec.RotationPolicy.Never;
    if (!keepKey) {
      return request;
    }
    // rotationPolicy Never: certify the previous key again when it has the requested type
    return existing
        .flatMap(s -> SecretData.get(s, ClientSecretData.PRIVATE_KEY))
        .map(io.vpngateway.api.pki.Pem::decodePrivateKey)
        .filter(k -> KeySpec.of(k).equals(keySpec))
        .map(k -> request.withPreviousKey(RotationPolicy.NEVER, k))
        .orElse(request);
  }

  private static Optional<Pkcs12Bundle> pkcs12(Secret secret) {
    Optional<byte[]> der = SecretData.bytes(secret, ClientSecretData.PKCS12);
    Optional<String> password = SecretData.get(secret, ClientSecretData.PKCS12_PASSWORD);
    return der.isPresent() && password.isPresent()
        ? Optional.of(new Pkcs12Bundle(der.get(), password.get()))
        : Optional.empty();
  }

  /** The kept client key while it still unwraps with the gateway's server key, else a new one. */
  private String tlsCryptV2ClientKey(Gateway gateway, Optional<Secret> sameCert, Instant now) {
    if (!gateway.config().enables(VpnProtocol.OpenVPN)
        || gateway.tlsCryptV2ServerKeyPem().isEmpty()) {
      return null;
    }
    try {
      TlsCryptV2ServerKey serverKey =
          TlsCryptV2ServerKey.parse(gateway.tlsCryptV2ServerKeyPem().get());
      Optional<String> kept = sameCert.flatMap(s -> SecretData.get(s, TLS_CRYPT_V2_KEY));
      if (kept.isPresent()) {
        try {
          serverKey.unwrap(TlsCryptV2ClientKey.parse(kept.get()).wrappedKey());
          return kept.get();
        } catch (OpenVpnKeyFormatException | RuntimeException e) {
          // wrapped by another server key: make a new one below
        }
      }
      return ClientIssuance.newTlsCryptV2ClientKey(serverKey, random, now);
    } catch (OpenVpnKeyFormatException e) {
      throw new IllegalStateException(
          "the gateway's tls-crypt-v2 server key is unreadable: " + e.getMessage(), e);
    }
  }

  private static ClientProfileInput profile(
      Gateway gateway, IssuedCertificate issued, Pkcs12Bundle p12, String tlsCryptV2) {
    return ClientIssuance.profileInput(
        gateway.config(),
        new ClientIssuance.Endpoint(gateway.name(), gateway.endpointHost(), gateway.serverName()),
        issued,
        p12,
        tlsCryptV2);
  }
}
