package io.vpngateway.api.pki;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A gateway server certificate to issue.
 *
 * @param commonName subject CN; clients do not match on it (they use the SANs) but logs show it
 * @param dnsNames dNSName SANs: every name clients dial (OpenVPN {@code verify-x509-name}, IKEv2
 *     remote identity, SSTP TLS host name)
 * @param ipAddresses iPAddress SANs, for clients that dial an address
 * @param keySpec key algorithm and size of the new key pair
 * @param validity lifetime from issuance, clamped to the CA's notAfter
 */
public record ServerCertificateRequest(
    String commonName,
    List<String> dnsNames,
    List<String> ipAddresses,
    KeySpec keySpec,
    Duration validity) {

  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(397);

  public ServerCertificateRequest {
    Names.requireRdnValue(commonName, "server certificate common name");
    dnsNames = List.copyOf(Objects.requireNonNullElse(dnsNames, List.of()));
    ipAddresses = List.copyOf(Objects.requireNonNullElse(ipAddresses, List.of()));
    Objects.requireNonNull(keySpec, "keySpec");
    requirePositive(validity);
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new PkiException(
          "a server certificate needs at least one DNS name or IP address: clients verify the SAN");
    }
    for (String name : dnsNames) {
      if (!Names.isDnsName(name)) {
        throw new PkiException("invalid DNS name '" + name + "' for the server certificate");
      }
    }
    for (String address : ipAddresses) {
      if (!Names.isIpAddress(address)) {
        throw new PkiException("invalid IP address '" + address + "' for the server certificate");
      }
    }
  }

  static void requirePositive(Duration validity) {
    if (validity == null || validity.isNegative() || validity.isZero()) {
      throw new PkiException("certificate validity must be a positive duration, got " + validity);
    }
  }
}
