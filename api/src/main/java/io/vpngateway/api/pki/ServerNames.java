package io.vpngateway.api.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The subject alternative names a gateway's server certificate must carry (RFC 5280 §4.2.1.6):
 * every name and address clients dial, as dNSName and iPAddress entries. Clients verify the name
 * they dial against these (OpenVPN {@code verify-x509-name}, IKEv2 remote identity, SSTP TLS host
 * name), so a certificate is kept only while its SANs are exactly these.
 */
public record ServerNames(List<String> dnsNames, List<String> ipAddresses) {
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  public ServerNames {
    dnsNames = List.copyOf(new LinkedHashSet<>(dnsNames));
    ipAddresses = List.copyOf(new LinkedHashSet<>(ipAddresses));
  }

  /**
   * Sorts host names and addresses (in the order given, duplicates dropped): an IPv4 or IPv6
   * literal becomes an iPAddress SAN, anything else a dNSName.
   */
  public static ServerNames of(Collection<String> endpoints) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (String endpoint : endpoints) {
      if (isIpAddress(endpoint)) {
        ips.add(endpoint);
      } else {
        dns.add(endpoint);
      }
    }
    return new ServerNames(dns, ips);
  }

  /** Whether {@code text} is an IPv4 or IPv6 address literal (never resolves a name). */
  public static boolean isIpAddress(String text) {
    return Names.isIpAddress(text);
  }

  /**
   * Order-independent form to compare with a certificate's: {@code DNS:name} (case-insensitive, as
   * DNS is) and {@code IP:address} in the JDK's canonical text, so {@code ::1} and {@code
   * 0:0:0:0:0:0:0:1} are the same address.
   */
  public Set<String> asSet() {
    Set<String> all = new TreeSet<>();
    dnsNames.forEach(n -> all.add(dnsEntry(n)));
    ipAddresses.forEach(a -> all.add(ipEntry(a)));
    return all;
  }

  /** The dNSName and iPAddress SANs of {@code certificate} in the form of {@link #asSet}. */
  public static Set<String> sansOf(X509Certificate certificate) {
    Set<String> result = new TreeSet<>();
    try {
      Collection<List<?>> all = certificate.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> san : all) {
          int type = (Integer) san.get(0);
          if (type == DNS_NAME) {
            result.add(dnsEntry(String.valueOf(san.get(1))));
          } else if (type == IP_ADDRESS) {
            result.add(ipEntry(String.valueOf(san.get(1))));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Set.of();
    }
    return result;
  }

  /** Whether {@code certificate} names exactly these DNS names and addresses, no more, no less. */
  public boolean matches(X509Certificate certificate) {
    return sansOf(certificate).equals(asSet());
  }

  private static String dnsEntry(String name) {
    return "DNS:" + name.toLowerCase(java.util.Locale.ROOT);
  }

  private static String ipEntry(String address) {
    if (isIpAddress(address)) {
      try {
        // a literal: no lookup, only the canonical text
        return "IP:" + InetAddress.getByName(address).getHostAddress();
      } catch (UnknownHostException e) {
        // not reached for a valid literal; compare the text as given
      }
    }
    return "IP:" + address;
  }
}
