package io.vpngateway.api.profile;

import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.KeyAlgorithm;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Renders an Apple configuration profile ({@code .mobileconfig}, an XML property list) for macOS
 * and iOS: a root certificate payload ({@code com.apple.security.root}), the client identity as a
 * PKCS#12 payload ({@code com.apple.security.pkcs12}) and an IKEv2 VPN payload ({@code
 * com.apple.vpn.managed}, VPNType IKEv2) that authenticates with that identity, per Apple's
 * "Configuration Profile Reference" (VPN.IKEv2 keys).
 *
 * <p>Payload UUIDs are derived from the gateway, the client and the certificate serial, so
 * re-rendering the same certificate gives the same profile and installing a renewed profile
 * replaces the old one (same top-level identifier).
 */
public final class AppleProfileRenderer {
  private AppleProfileRenderer() {}

  public static String render(ClientProfileInput in) {
    if (!in.has(VpnProtocol.IKEv2)) {
      throw new IllegalArgumentException("IKEv2 is not enabled on gateway " + in.gatewayName());
    }
    X509Certificate client = Pem.decodeCertificate(in.clientCertificatePem());
    X509Certificate ca = Pem.decodeCertificate(in.caCertificatePem());
    String serial = client.getSerialNumber().toString(16);
    String identifier = "io.vpngateway." + safeId(in.gatewayName()) + "." + safeId(in.clientName());
    String pkcs12Uuid = uuid(identifier, "pkcs12", serial);
    String caUuid = uuid(identifier, "ca", serial);
    String vpnUuid = uuid(identifier, "vpn", serial);
    String profileUuid = uuid(identifier, "profile", serial);

    IpsecProposal ike = in.parsedIkeProposals().get(0);
    IpsecProposal esp = in.parsedEspProposals().get(0);
    boolean eap = in.passwordAuthentication() == PasswordAuthentication.RADIUS;

    Plist p = new Plist();
    p.open();
    p.key("PayloadContent").beginArray();

    p.beginDict();
    p.string("PayloadType", "com.apple.security.root");
    p.string("PayloadIdentifier", identifier + ".ca");
    p.string("PayloadUUID", caUuid);
    p.integer("PayloadVersion", 1);
    p.string("PayloadDisplayName", in.gatewayName() + " VPN CA");
    p.string("PayloadCertificateFileName", "ca.cer");
    p.data("PayloadContent", der(ca));
    p.endDict();

    p.beginDict();
    p.string("PayloadType", "com.apple.security.pkcs12");
    p.string("PayloadIdentifier", identifier + ".identity");
    p.string("PayloadUUID", pkcs12Uuid);
    p.integer("PayloadVersion", 1);
    p.string("PayloadDisplayName", in.clientName());
    p.string("PayloadCertificateFileName", safeId(in.clientName()) + ".p12");
    p.string("Password", in.pkcs12().password());
    p.data("PayloadContent", in.pkcs12().der());
    p.endDict();

    p.beginDict();
    p.string("PayloadType", "com.apple.vpn.managed");
    p.string("PayloadIdentifier", identifier + ".vpn");
    p.string("PayloadUUID", vpnUuid);
    p.integer("PayloadVersion", 1);
    p.string("PayloadDisplayName", in.gatewayName() + " VPN");
    p.string("UserDefinedName", in.gatewayName());
    p.string("VPNType", "IKEv2");
    p.key("IKEv2").beginDict();
    p.string("RemoteAddress", in.endpointHost());
    p.string("RemoteIdentifier", in.serverName());
    p.string("LocalIdentifier", in.clientName());
    p.string(
        "ServerCertificateIssuerCommonName",
        ClientCertificates.commonNameOf(ca).orElse(in.gatewayName()));
    p.string("ServerCertificateCommonName", in.serverName());
    p.string("AuthenticationMethod", eap ? "None" : "Certificate");
    if (eap) {
      // EAP-MSCHAPv2 with the RADIUS user name; the device asks for the password.
      p.integer("ExtendedAuthEnabled", 1);
      p.string("AuthName", in.clientName());
    } else {
      p.integer("ExtendedAuthEnabled", 0);
      p.string("CertificateType", certificateType(client));
      p.string("PayloadCertificateUUID", pkcs12Uuid);
    }
    p.string("DeadPeerDetectionRate", "Medium");
    p.integer("DisableMOBIKE", 0);
    p.integer("DisableRedirect", 0);
    p.integer("EnablePFS", esp.group().isPresent() ? 1 : 0);
    p.integer("UseConfigurationAttributeInternalIPSubnet", 0);
    p.key("IKESecurityAssociationParameters");
    securityAssociation(p, ike.encryption().apple, ike.prfOrIntegrity().apple, ike.group());
    p.key("ChildSecurityAssociationParameters");
    securityAssociation(
        p, esp.encryption().apple, esp.prfOrIntegrity().apple, esp.group().or(ike::group));
    p.endDict();
    p.key("IPv4").beginDict();
    p.integer("OverridePrimary", in.forceTunnel() ? 1 : 0);
    p.endDict();
    if (!in.dnsServers().isEmpty()) {
      p.key("DNS").beginDict();
      p.stringArray("ServerAddresses", in.dnsServers());
      if (!in.searchDomains().isEmpty()) {
        p.stringArray("SearchDomains", in.searchDomains());
      }
      p.endDict();
    }
    p.endDict();

    p.endArray();
    p.string("PayloadDisplayName", in.gatewayName() + " VPN (" + in.clientName() + ")");
    p.string(
        "PayloadDescription",
        "IKEv2 VPN to " + in.endpointHost() + " with certificate " + in.clientName());
    p.string("PayloadIdentifier", identifier);
    p.string("PayloadOrganization", in.gatewayName());
    p.string("PayloadType", "Configuration");
    p.string("PayloadUUID", profileUuid);
    p.integer("PayloadVersion", 1);
    p.bool("PayloadRemovalDisallowed", false);
    p.close();
    return p.toString();
  }

  private static void securityAssociation(
      Plist p,
      String encryption,
      String integrity,
      java.util.Optional<IpsecProposal.DhGroup> group) {
    p.beginDict();
    p.string("EncryptionAlgorithm", encryption);
    p.string("IntegrityAlgorithm", integrity);
    p.integer(
        "DiffieHellmanGroup", group.map(g -> g.number).orElse(IpsecProposal.DhGroup.ECP256.number));
    p.integer("LifeTimeInMinutes", 1440);
    p.endDict();
  }

  /** Apple's CertificateType values: RSA, ECDSA256, ECDSA384. */
  static String certificateType(X509Certificate certificate) {
    KeySpec spec = KeySpec.of(certificate.getPublicKey());
    return spec.algorithm() == KeyAlgorithm.RSA ? "RSA" : "ECDSA" + spec.size();
  }

  private static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException(
          "cannot encode " + certificate.getSubjectX500Principal(), e);
    }
  }

  private static String uuid(String identifier, String role, String serial) {
    return UUID.nameUUIDFromBytes(
            (identifier + "/" + role + "/" + serial).getBytes(StandardCharsets.UTF_8))
        .toString()
        .toUpperCase(java.util.Locale.ROOT);
  }

  /** Reverse-DNS identifiers allow letters, digits, '-' and '.'. */
  private static String safeId(String value) {
    return value.replaceAll("[^A-Za-z0-9-]", "-");
  }

  /** A minimal writer of Apple's XML property list format (PropertyList-1.0.dtd), escaping text. */
  static final class Plist {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    void open() {
      out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
      out.append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" ")
          .append("\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
      out.append("<plist version=\"1.0\">\n");
      beginDict();
    }

    void close() {
      endDict();
      out.append("</plist>\n");
    }

    Plist key(String key) {
      line("<key>" + escape(key) + "</key>");
      return this;
    }

    void string(String key, String value) {
      key(key);
      line("<string>" + escape(value) + "</string>");
    }

    void integer(String key, int value) {
      key(key);
      line("<integer>" + value + "</integer>");
    }

    void bool(String key, boolean value) {
      key(key);
      line(value ? "<true/>" : "<false/>");
    }

    void data(String key, byte[] value) {
      key(key);
      line("<data>" + Base64.getEncoder().encodeToString(value) + "</data>");
    }

    void stringArray(String key, List<String> values) {
      key(key);
      beginArray();
      values.forEach(v -> line("<string>" + escape(v) + "</string>"));
      endArray();
    }

    void beginDict() {
      line("<dict>");
      depth++;
    }

    void endDict() {
      depth--;
      line("</dict>");
    }

    void beginArray() {
      line("<array>");
      depth++;
    }

    void endArray() {
      depth--;
      line("</array>");
    }

    private void line(String text) {
      out.append("  ".repeat(depth)).append(text).append('\n');
    }

    static String escape(String text) {
      return text.replace("&", "&amp;")
          .replace("<", "&lt;")
          .replace(">", "&gt;")
          .replace("\"", "&quot;")
          .replace("'", "&apos;");
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
