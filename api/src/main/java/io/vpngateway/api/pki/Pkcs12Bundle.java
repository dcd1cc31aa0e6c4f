package io.vpngateway.api.pki;

import java.util.Base64;
import java.util.Objects;

/**
 * A PKCS#12 file and the password that opens it.
 *
 * @param der the PFX (RFC 7292) bytes
 * @param password the password, printable ASCII without quotes or spaces so it can be embedded in
 *     scripts and profiles as is
 */
public record Pkcs12Bundle(byte[] der, String password) {
  public Pkcs12Bundle {
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(password, "password");
    der = der.clone();
  }

  @Override
  public byte[] der() {
    return der.clone();
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(der);
  }

  @Override
  public String toString() {
    return "Pkcs12Bundle[" + der.length + " bytes, password redacted]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pkcs12Bundle other
        && java.util.Arrays.equals(der, other.der)
        && password.equals(other.password);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(der) * 31 + password.hashCode();
  }
}
