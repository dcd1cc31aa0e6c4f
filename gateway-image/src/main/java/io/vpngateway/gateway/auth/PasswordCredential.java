package io.vpngateway.gateway.auth;

import io.vpngateway.gateway.config.SecretBytes;
import java.nio.charset.StandardCharsets;

/**
 * A user name and password as a client sent them (OpenVPN auth-user-pass, an SSTP/PPP PAP or
 * MS-CHAPv2 exchange's user name...). The password may be a real password (RADIUS), an OIDC token,
 * or one of our auth tokens; it is kept as {@link SecretBytes} so it never lands in a log line.
 */
public record PasswordCredential(String username, SecretBytes password) {
  public static PasswordCredential of(String username, String password) {
    return new PasswordCredential(
        username == null ? "" : username,
        SecretBytes.of(password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8)));
  }

  /** The password as text (UTF-8); for backends that need a String (token parsers). */
  public String passwordText() {
    byte[] b = password.bytes();
    try {
      return new String(b, StandardCharsets.UTF_8);
    } finally {
      SecretBytes.wipe(b);
    }
  }

  public boolean isEmpty() {
    return password.length() == 0 && username.isEmpty();
  }

  @Override
  public String toString() {
    return "PasswordCredential[username=" + username + ", password redacted]";
  }
}
