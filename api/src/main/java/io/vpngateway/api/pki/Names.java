package io.vpngateway.api.pki;

import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/** Validation of the names that go into certificates. */
final class Names {
  private Names() {}

  /** RFC 1035 host names as RFC 5280 §4.2.1.6 dNSName, with an optional leading wildcard label. */
  private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

  private static final Pattern DNS_NAME =
      Pattern.compile("(\\*\\.)?" + LABEL + "(\\." + LABEL + ")*\\.?");

  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[A-Za-z0-9.-]+");

  /** X.520 upper bound for CN and OU values (ub-common-name, ub-organizational-unit-name). */
  static final int MAX_RDN_VALUE = 64;

  static boolean isDnsName(String name) {
    return name != null && name.length() <= 253 && DNS_NAME.matcher(name).matches();
  }

  static boolean isIpAddress(String address) {
    return address != null && IPAddress.isValid(address);
  }

  static boolean isEmail(String name) {
    return EMAIL.matcher(name).matches() && isDnsName(name.substring(name.indexOf('@') + 1));
  }

  static String requireRdnValue(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new PkiException(what + " must not be empty");
    }
    if (value.length() > MAX_RDN_VALUE) {
      throw new PkiException(
          what + " '" + value + "' is longer than " + MAX_RDN_VALUE + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new PkiException(what + " contains control characters");
    }
    return value;
  }
}
