package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Certificates;
import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.profile.ClientSecretData;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.config.OperatorConfig;
import io.vpngateway.operator.gateway.ConfigFiles;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides what a ClientCertificate reconcile does: wait for its gateway, revoke, or keep/issue the
 * certificate and render its Secret. Reads the gateway and its Secrets from informer caches.
 */
@ApplicationScoped
public class ClientCertificateIssuance {
  private final OperatorConfig config;
  private final ClientCertificateIssuer issuer = new ClientCertificateIssuer();
  private final CrlRevoker revoker = new CrlRevoker();
  private final Map<String, ParsedCa> cas = new ConcurrentHashMap<>();

  /** A gateway's CA Secret content and the CA parsed from it. */
  private record ParsedCa(String certPem, String keyPem, CertificateAuthority ca) {}

  public ClientCertificateIssuance(OperatorConfig config) {
    this.config = config;
  }

  Issuance decide(ClientCertificate cc, Context<ClientCertificate> context, Instant now) {
    String namespace = cc.getMetadata().getNamespace();
    String gatewayName = cc.getSpec().gatewayRef.name;
    Optional<VpnGateway> gateway =
        cached(
            context,
            VpnGateway.class,
            ClientCertificateReconciler.GATEWAYS,
            gatewayName,
            namespace);
    if (gateway.isEmpty()) {
      return new Issuance.GatewayNotReady("VpnGateway '" + gatewayName + "' not found");
    }
    Optional<CertificateAuthority> ca = ca(context, gatewayName, namespace);
    if (ca.isEmpty()) {
      return new Issuance.GatewayNotReady("VpnGateway '" + gatewayName + "' has no CA yet");
    }
    Optional<Secret> existing =
        context.getSecondaryResource(Secret.class, ClientCertificateReconciler.OUTPUT_SECRET);
    if (Boolean.TRUE.equals(cc.getSpec().revoked)) {
      return revoke(context, cc, ca.get(), existing, now);
    }
    return issue(cc, context, gateway.get(), ca.get(), existing, now);
  }

  /** Keeps or issues the certificate and renders its Secret for the gateway as it is now. */
  private Issuance issue(
      ClientCertificate cc,
      Context<ClientCertificate> context,
      VpnGateway gateway,
      CertificateAuthority ca,
      Optional<Secret> existing,
      Instant now) {
    String namespace = cc.getMetadata().getNamespace();
    String gatewayName = gateway.getMetadata().getName();
    GatewayConfig rendered;
    try {
      rendered = GatewayConfigRenderer.render(gateway, renderDefaults());
    } catch (IllegalArgumentException e) {
      return new Issuance.GatewayNotReady("VpnGateway '" + gatewayName + "' has an invalid spec");
    }
    Optional<String> endpoint = endpoint(gateway);
    if (endpoint.isEmpty()) {
      return new Issuance.GatewayNotReady(
          "VpnGateway '"
              + gatewayName
              + "' has no endpoint yet (no load balancer address and no"
              + " serverCertificate.dnsNames)");
    }
    Optional<Secret> crl =
        cached(
            context,
            Secret.class,
            ClientCertificateReconciler.GATEWAY_SECRETS,
            Names.crlSecret(gatewayName),
            namespace);
    var gatewaySide =
        new ClientCertificateIssuer.Gateway(
            gatewayName,
            rendered,
            ca,
            crl.flatMap(s -> SecretData.get(s, ConfigFiles.TLS_CRYPT_V2_SERVER_KEY)),
            endpoint.get(),
            serverName(context, gateway, endpoint.get()));
    // a certificate the CRL lists is never handed out again (revoked: true, then false again)
    Optional<Secret> usable = existing.filter(s -> !listedInCrl(s, crl));
    Issuance.Issued issued;
    try {
      issued = issuer.issue(cc.getSpec(), gatewaySide, usable, now);
    } catch (PkiException | IllegalArgumentException e) {
      return new Issuance.InvalidSpec(e.getMessage());
    }
    return withEarlierCertificates(cc, context, ca, existing, issued, now);
  }

  /**
   * Accounts for the certificates issued before {@code issued}. When the CN, groups or key type
   * changed, every earlier one is revoked now, before the new Secret is written: they grant what
   * the spec no longer grants (a group removed must not keep its address pool). A renewal of an
   * unchanged subject, or a re-issue after the Secret was deleted, keeps the earlier ones valid
   * until they expire (clients roll over to the new profile at their own pace) and records them in
   * the status, so revoking or deleting the ClientCertificate later lists them too.
   */
  private Issuance.Issued withEarlierCertificates(
      ClientCertificate cc,
      Context<ClientCertificate> context,
      CertificateAuthority ca,
      Optional<Secret> existing,
      Issuance.Issued issued,
      Instant now) {
    BigInteger current = issued.certificate().certificate().getSerialNumber();
    List<KnownCertificates.Known> earlier =
        KnownCertificates.of(cc.getStatus(), existing, now).stream()
            .filter(k -> !k.serial().equals(current))
            .toList();
    ClientCertificateSpec spec = cc.getSpec();
    boolean subjectChanged =
        issued.renewed()
            && existing.filter(s -> ClientCertificateIssuer.subjectChanged(s, spec)).isPresent();
    if (subjectChanged && !earlier.isEmpty()) {
      revoker.revokeAll(
          context.getClient(),
          cc.getMetadata().getNamespace(),
          cc.getSpec().gatewayRef.name,
          ca,
          KnownCertificates.serials(earlier),
          config.pki().crlValidity());
      return issued.withPrevious(List.of());
    }
    return issued.withPrevious(KnownCertificates.previous(earlier, current));
  }

  /** On deletion: list every unexpired certificate in the CRL, if the gateway still exists. */
  void revokeOnDelete(ClientCertificate cc, Context<ClientCertificate> context, Instant now) {
    String namespace = cc.getMetadata().getNamespace();
    String gatewayName = cc.getSpec().gatewayRef.name;
    Optional<CertificateAuthority> ca = ca(context, gatewayName, namespace);
    List<KnownCertificates.Known> known =
        KnownCertificates.of(
            cc.getStatus(),
            context.getSecondaryResource(Secret.class, ClientCertificateReconciler.OUTPUT_SECRET),
            now);
    if (ca.isPresent() && !known.isEmpty()) {
      revoker.revokeAll(
          context.getClient(),
          namespace,
          gatewayName,
          ca.get(),
          KnownCertificates.serials(known),
          config.pki().crlValidity());
    }
  }

  /** Lists the current certificate and every earlier unexpired one in the CRL. */
  private Issuance revoke(
      Context<ClientCertificate> context,
      ClientCertificate cc,
      CertificateAuthority ca,
      Optional<Secret> existing,
      Instant now) {
    Optional<BigInteger> serial = serial(cc, existing);
    List<KnownCertificates.Known> known = KnownCertificates.of(cc.getStatus(), existing, now);
    Set<BigInteger> serials = new LinkedHashSet<>(KnownCertificates.serials(known));
    serial.ifPresent(serials::add);
    if (serials.isEmpty()) {
      return new Issuance.Revoked(null, null);
    }
    // already listed (a reconcile after the revocation, or after a restart): nothing to write
    Map<BigInteger, Instant> revokedAt =
        listedIn(cachedCrl(context, cc), serials)
            .orElseGet(
                () ->
                    revoker.revokeAll(
                        context.getClient(),
                        cc.getMetadata().getNamespace(),
                        cc.getSpec().gatewayRef.name,
                        ca,
                        serials,
                        config.pki().crlValidity()));
    BigInteger shown = serial.orElse(serials.iterator().next());
    return new Issuance.Revoked(Certificates.serialHex(shown), revokedAt.get(shown));
  }

  private static Optional<X509CRL> cachedCrl(
      Context<ClientCertificate> context, ClientCertificate cc) {
    return cached(
            context,
            Secret.class,
            ClientCertificateReconciler.GATEWAY_SECRETS,
            Names.crlSecret(cc.getSpec().gatewayRef.name),
            cc.getMetadata().getNamespace())
        .flatMap(s -> SecretData.get(s, ConfigFiles.CRL_KEY))
        .flatMap(RevocationList::decode);
  }

  /** When {@code crl} lists every one of {@code serials}: when each was revoked. */
  private static Optional<Map<BigInteger, Instant>> listedIn(
      Optional<X509CRL> crl, Set<BigInteger> serials) {
    if (crl.isEmpty()) {
      return Optional.empty();
    }
    Map<BigInteger, Instant> revokedAt = new LinkedHashMap<>();
    for (BigInteger serial : serials) {
      X509CRLEntry entry = crl.get().getRevokedCertificate(serial);
      if (entry == null) {
        return Optional.empty();
      }
      revokedAt.put(serial, entry.getRevocationDate().toInstant());
    }
    return Optional.of(revokedAt);
  }

  private static boolean listedInCrl(Secret output, Optional<Secret> crlSecret) {
    Optional<String> cert = SecretData.get(output, ClientSecretData.CERTIFICATE);
    Optional<String> crl = crlSecret.flatMap(s -> SecretData.get(s, ConfigFiles.CRL_KEY));
    if (cert.isEmpty() || crl.isEmpty()) {
      return false;
    }
    try {
      return Pem.decodeCrl(crl.get())
              .getRevokedCertificate(Pem.decodeCertificate(cert.get()).getSerialNumber())
          != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The serial of the certificate in the Secret, else the one the status recorded. */
  private static Optional<BigInteger> serial(ClientCertificate cc, Optional<Secret> existing) {
    Optional<BigInteger> fromSecret =
        existing
            .flatMap(s -> SecretData.get(s, ClientSecretData.CERTIFICATE))
            .map(pem -> Pem.decodeCertificate(pem).getSerialNumber());
    if (fromSecret.isPresent()) {
      return fromSecret;
    }
    return cc.getStatus() == null || cc.getStatus().serialNumber == null
        ? Optional.empty()
        : Optional.of(new BigInteger(cc.getStatus().serialNumber.replace(":", ""), 16));
  }

  /**
   * The gateway's CA, parsed once per content of its Secret: parsing checks the key against the
   * certificate (a signature and its verification), a fifth of the operator's CPU when it ran for
   * every reconcile of 1,000 certificates.
   */
  private Optional<CertificateAuthority> ca(
      Context<ClientCertificate> context, String gateway, String namespace) {
    return cached(
            context,
            Secret.class,
            ClientCertificateReconciler.GATEWAY_SECRETS,
            Names.caSecret(gateway),
            namespace)
        .flatMap(
            s -> {
              Optional<String> cert = SecretData.get(s, ConfigFiles.TLS_CERT_KEY);
              Optional<String> key = SecretData.get(s, ConfigFiles.TLS_KEY_KEY);
              if (cert.isEmpty() || key.isEmpty()) {
                return Optional.empty();
              }
              ParsedCa parsed =
                  cas.compute(
                      namespace + "/" + gateway,
                      (k, old) ->
                          old != null && old.certPem().equals(cert.get())
                                  && old.keyPem().equals(key.get())
                              ? old
                              : new ParsedCa(
                                  cert.get(),
                                  key.get(),
                                  CertificateAuthority.fromPem(cert.get(), key.get())));
              return Optional.of(parsed.ca());
            });
  }

  /**
   * The name clients dial: the first serverCertificate.dnsNames entry, else the Service endpoint.
   */
  static Optional<String> endpoint(VpnGateway gateway) {
    var server = gateway.getSpec().serverCertificate;
    if (server != null && !server.dnsNames.isEmpty()) {
      return Optional.of(server.dnsNames.get(0));
    }
    return Optional.ofNullable(gateway.getStatus() == null ? null : gateway.getStatus().endpoint);
  }

  /**
   * The server certificate's CN (OpenVPN verify-x509-name), or the endpoint for one brought by the
   * user.
   */
  private static String serverName(
      Context<ClientCertificate> context, VpnGateway gateway, String endpoint) {
    return cached(
            context,
            Secret.class,
            ClientCertificateReconciler.GATEWAY_SECRETS,
            Names.serverSecret(gateway),
            gateway.getMetadata().getNamespace())
        .flatMap(s -> SecretData.get(s, ConfigFiles.TLS_CERT_KEY))
        .map(Pem::decodeCertificate)
        .flatMap((X509Certificate c) -> ClientCertificates.commonNameOf(c))
        .orElse(endpoint);
  }

  private RenderDefaults renderDefaults() {
    return new RenderDefaults(config.cluster().dnsServer().orElse(null), config.cluster().domain());
  }

  @SuppressWarnings("unchecked")
  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> Optional<R> cached(
      Context<ClientCertificate> context,
      Class<R> type,
      String source,
      String name,
      String namespace) {
    var informer =
        (InformerEventSource<R, ClientCertificate>)
            context.eventSourceRetriever().getEventSourceFor(type, source);
    return informer.get(new ResourceID(name, namespace));
  }
}
