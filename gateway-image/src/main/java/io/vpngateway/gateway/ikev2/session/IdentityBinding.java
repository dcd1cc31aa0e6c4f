package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.message.IdPayload;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Binds IKE identities to certificates (RFC 7296 §2.15 and §3.5, RFC 4945 §3.1): an ID payload is
 * accepted for a certificate when it names the certificate's subject (ID_DER_ASN1_DN), one of its
 * subjectAltNames of the matching kind (ID_FQDN: dNSName, ID_RFC822_ADDR: rfc822Name,
 * ID_IPV4_ADDR: iPAddress), or, as clients that only know the user name send it (Apple's
 * LocalIdentifier), its common name.
 */
final class IdentityBinding {
  private IdentityBinding() {}

  private static final int SAN_RFC822 = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  static boolean matches(IdPayload id, X509Certificate cert) {
    try {
      return switch (id.idType()) {
        case IdPayload.ID_DER_ASN1_DN ->
            new X500Principal(id.data()).equals(cert.getSubjectX500Principal());
        case IdPayload.ID_FQDN -> nameMatches(cert, SAN_DNS, id.text());
        case IdPayload.ID_RFC822_ADDR -> nameMatches(cert, SAN_RFC822, id.text());
        case IdPayload.ID_IPV4_ADDR, IdPayload.ID_IPV6_ADDR ->
            sans(cert, SAN_IP).stream()
                .anyMatch(s -> sameAddress(s, id.data()));
        default -> false;
      };
    } catch (IllegalArgumentException e) {
      return false; // a malformed DN
    }
  }

  private static boolean nameMatches(X509Certificate cert, int sanType, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return sans(cert, sanType).stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(n))
        || commonName(cert).map(cn -> cn.toLowerCase(Locale.ROOT).equals(n)).orElse(false);
  }

  private static boolean sameAddress(String san, byte[] address) {
    try {
      return InetAddress.getByName(san).equals(InetAddress.getByAddress(address));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static List<String> sans(X509Certificate cert, int type) {
    try {
      Collection<List<?>> all = cert.getSubjectAlternativeNames();
      if (all == null) {
        return List.of();
      }
      return all.stream()
          .filter(e -> ((Integer) e.get(0)) == type && e.get(1) instanceof String)
          .map(e -> (String) e.get(1))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * Our IDr: the one the client asked for when our certificate carries it, else the certificate's
   * first DNS name, else its subject DN.
   */
  static IdPayload responderIdentity(Optional<IdPayload> requested, X509Certificate ours) {
    if (requested.isPresent() && matches(requested.get(), ours)) {
      IdPayload r = requested.get();
      return new IdPayload(false, r.idType(), r.data());
    }
    List<String> dns = sans(ours, SAN_DNS);
    if (!dns.isEmpty()) {
      return new IdPayload(
          false, IdPayload.ID_FQDN, dns.get(0).getBytes(StandardCharsets.US_ASCII));
    }
    return new IdPayload(
        false, IdPayload.ID_DER_ASN1_DN, ours.getSubjectX500Principal().getEncoded());
  }
}
