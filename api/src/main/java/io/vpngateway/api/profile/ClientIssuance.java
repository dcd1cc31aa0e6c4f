package io.vpngateway.api.profile;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeyAlgorithm;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pkcs12Bundle;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * How a ClientCertificate and its gateway's config become a certificate request and a {@link
 * ClientProfileInput}: the pure part that the operator's ClientCertificate reconciler and the
 * standalone {@code vpngw issue} share, so both hand a client the same files for the same spec.
 * Where the CA, the existing Secret or the state directory come from stays with each caller.
 */
public final class ClientIssuance {
  /** {@code spec.duration} when unset: one year. */
  public static final String DEFAULT_DURATION = "8760h";

  /** {@code spec.renewBefore} when unset: 30 days. */
  public static final String DEFAULT_RENEW_BEFORE = "720h";

  /**
   * The gateway as the client's profile names it.
   *
   * @param gatewayName the VpnGateway's name (profile and connection names)
   * @param host the name or address clients dial
   * @param serverName the name the client checks in the server certificate
   */
  public record Endpoint(String gatewayName, String host, String serverName) {}

  private ClientIssuance() {}

  /** {@code spec.privateKey} as a key spec: ECDSA P-256 unless it says otherwise. */
  public static KeySpec keySpec(PrivateKeySpec key) {
    if (key == null) {
      return KeySpec.EC_P256;
    }
    KeyAlgorithm algorithm =
        key.algorithm == PrivateKeySpec.Algorithm.RSA ? KeyAlgorithm.RSA : KeyAlgorithm.ECDSA;
    return KeySpec.of(algorithm, key.size);
  }

  /**
   * The certificate's lifetime from {@code spec.duration}.
   *
   * @throws IllegalArgumentException naming {@code spec.duration} when it is not a duration
   */
  public static Duration validity(ClientCertificateSpec spec) {
    return duration(spec.duration, DEFAULT_DURATION, "spec.duration");
  }

  /**
   * How long before expiry the certificate is renewed, from {@code spec.renewBefore}.
   *
   * @throws IllegalArgumentException naming {@code spec.renewBefore} when it is not a duration
   */
  public static Duration renewBefore(ClientCertificateSpec spec) {
    return duration(spec.renewBefore, DEFAULT_RENEW_BEFORE, "spec.renewBefore");
  }

  /** {@code spec.groups}, never null. */
  public static List<String> groups(ClientCertificateSpec spec) {
    return spec.groups == null ? List.of() : spec.groups;
  }

  /** A request for a new key and certificate as {@code spec} describes it. */
  public static ClientCertificateRequest request(ClientCertificateSpec spec) {
    return ClientCertificateRequest.of(
        spec.commonName, groups(spec), validity(spec), keySpec(spec.privateKey));
  }

  /** The gateway's protocols (as the config document names them) as profile protocols. */
  public static Set<VpnProtocol> protocols(GatewayConfig config) {
    return config.enabledProtocols();
  }

  /**
   * A fresh OpenVPN tls-crypt-v2 client key wrapped with the gateway's server key (openvpn's {@code
   * WKc}, metadata type timestamp), as the PEM a profile inlines.
   */
  public static String newTlsCryptV2ClientKey(
      TlsCryptV2ServerKey serverKey, SecureRandom random, Instant now) {
    return serverKey
        .wrap(OpenVpnStaticKey.generate(random), TlsCryptV2Metadata.timestamp(now))
        .toPem();
  }

  /**
   * Everything the profile renderers need, from the gateway's config and the issued certificate.
   *
   * @param tlsCryptV2ClientKey the client's wrapped tls-crypt-v2 key, or null without OpenVPN
   */
  public static ClientProfileInput profileInput(
      GatewayConfig config,
      Endpoint endpoint,
      IssuedCertificate issued,
      Pkcs12Bundle p12,
      String tlsCryptV2ClientKey) {
    return ClientProfileInput.builder()
        .gatewayName(endpoint.gatewayName())
        .endpointHost(endpoint.host())
        .serverName(endpoint.serverName())
        .clientName(ClientCertificates.commonNameOf(issued.certificate()).orElseThrow())
        .protocols(protocols(config))
        .openVpnUdpPort(config.listen().openvpnUdp())
        .openVpnTcpPort(config.listen().openvpnTcp())
        .ikePort(config.listen().ike())
        .sstpPort(config.listen().sstp())
        .caCertificatePem(issued.caCertificatePem())
        .clientCertificatePem(issued.certificatePem())
        .clientKeyPem(issued.privateKeyPem())
        .pkcs12(p12)
        .tlsCryptV2ClientKey(tlsCryptV2ClientKey)
        .dataCiphers(config.crypto().dataCiphers())
        .tlsMinVersion(config.crypto().tlsMinVersion())
        .ikeProposals(config.crypto().ike())
        .espProposals(config.crypto().esp())
        .dnsServers(config.dns().servers())
        .searchDomains(config.dns().searchDomains())
        .routes(config.routing().routes())
        .forceTunnel(config.routing().forceTunnel())
        .passwordAuthentication(passwordAuthentication(config))
        .build();
  }

  /**
   * The generic OpenVPN profile of a gateway that admits clients without a certificate (RADIUS or
   * OIDC alone, {@code requireCertificateAndPassword} off): the gateway's CA, a tls-crypt-v2 client
   * key shared by its users and {@code auth-user-pass} (+ {@code IV_SSO} for OIDC), no {@code
   * cert}/{@code key}. What Azure's "download VPN client" gives RADIUS and Entra users.
   *
   * @param caCertificatePem the CA that signed the gateway's server certificate
   * @throws IllegalArgumentException when the gateway does not admit clients without a certificate,
   *     or has no OpenVPN
   */
  public static ClientProfileInput passwordOnlyProfileInput(
      GatewayConfig config, Endpoint endpoint, String caCertificatePem, String tlsCryptV2ClientKey) {
    GatewayConfig.Authentication a = config.authentication();
    PasswordAuthentication method =
        a == null || a.requireCertificateAndPassword()
            ? PasswordAuthentication.NONE
            : a.radius() != null
                ? PasswordAuthentication.RADIUS
                : a.oidc() != null ? PasswordAuthentication.OIDC : PasswordAuthentication.NONE;
    if (method == PasswordAuthentication.NONE) {
      throw new IllegalArgumentException(
          "gateway "
              + endpoint.gatewayName()
              + " admits no client without a certificate (it needs radius or oidc, and"
              + " requireCertificateAndPassword off)");
    }
    if (!config.enables(VpnProtocol.OpenVPN)) {
      throw new IllegalArgumentException(
          "gateway " + endpoint.gatewayName() + " has no OpenVPN: a password-only profile is"
              + " OpenVPN only");
    }
    if (a.radius() != null && a.oidc() != null) {
      method = PasswordAuthentication.OIDC; // IV_SSO: a JWT, web sign-in, or a RADIUS password
    }
    return ClientProfileInput.builder()
        .gatewayName(endpoint.gatewayName())
        .endpointHost(endpoint.host())
        .serverName(endpoint.serverName())
        .clientName(endpoint.gatewayName())
        .protocols(Set.of(VpnProtocol.OpenVPN))
        .openVpnUdpPort(config.listen().openvpnUdp())
        .openVpnTcpPort(config.listen().openvpnTcp())
        .caCertificatePem(caCertificatePem)
        .tlsCryptV2ClientKey(tlsCryptV2ClientKey)
        .dataCiphers(config.crypto().dataCiphers())
        .tlsMinVersion(config.crypto().tlsMinVersion())
        .dnsServers(config.dns().servers())
        .searchDomains(config.dns().searchDomains())
        .routes(config.routing().routes())
        .forceTunnel(config.routing().forceTunnel())
        .passwordAuthentication(method)
        .build();
  }

  /**
   * Whether a certificate holder's profiles must also ask for a password: only when the gateway
   * requires certificate AND password ({@code authentication.requireCertificateAndPassword});
   * otherwise the certificate alone admits and a password prompt would only be in the way.
   */
  public static PasswordAuthentication passwordAuthentication(GatewayConfig config) {
    GatewayConfig.Authentication a = config.authentication();
    if (a == null || !a.requireCertificateAndPassword()) {
      return PasswordAuthentication.NONE;
    }
    if (a.radius() != null) {
      return PasswordAuthentication.RADIUS;
    }
    return a.oidc() != null ? PasswordAuthentication.OIDC : PasswordAuthentication.NONE;
  }

  private static Duration duration(String text, String fallback, String field) {
    try {
      return Duration.ofMillis(
          GatewayConfigRenderer.durationMillis(text == null || text.isBlank() ? fallback : text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }
}
