package io.vpngateway.api.profile;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;

/**
 * Renders an OpenVPN 2.6 client profile ({@code .ovpn}) with inline credentials, as described in
 * the openvpn(8) manual ("Inline file support", client options). The server is authenticated three
 * ways: its chain to the inlined CA, EKU serverAuth ({@code remote-cert-tls server}, so another
 * client's certificate cannot impersonate the gateway) and its CN ({@code verify-x509-name}).
 */
public final class OpenVpnProfileRenderer {
  private OpenVpnProfileRenderer() {}

  /** Seconds to wait for the UDP server before falling back to the next {@code remote} (TCP). */
  static final int SERVER_POLL_TIMEOUT_SECONDS = 10;

  public static String render(ClientProfileInput in) {
    if (!in.has(VpnProtocol.OpenVPN)) {
      throw new IllegalArgumentException("OpenVPN is not enabled on gateway " + in.gatewayName());
    }
    StringBuilder out = new StringBuilder();
    out.append("# OpenVPN profile for ")
        .append(in.clientName())
        .append(" on gateway ")
        .append(in.gatewayName())
        .append(".\n");
    if (in.passwordOnly()) {
      // no cert/key: the gateway does not ask for one (openvpn's verify-client-cert none) and the
      // user signs in with a password or token; tls-crypt-v2 still hides the handshake
      out.append("# Password-only profile: no client certificate; sign in with a password.\n");
    } else {
      out.append("# Generated; a renewed certificate comes with a new profile.\n");
    }
    out.append("client\n");
    out.append("dev tun\n");
    out.append("nobind\n");
    // UDP first (faster), TCP as fallback when UDP is blocked.
    if (in.openVpnUdpPort() > 0) {
      out.append("remote ")
          .append(in.endpointHost())
          .append(' ')
          .append(in.openVpnUdpPort())
          .append(" udp\n");
    }
    if (in.openVpnTcpPort() > 0) {
      out.append("remote ")
          .append(in.endpointHost())
          .append(' ')
          .append(in.openVpnTcpPort())
          .append(" tcp-client\n");
    }
    if (in.openVpnUdpPort() > 0 && in.openVpnTcpPort() > 0) {
      out.append("server-poll-timeout ").append(SERVER_POLL_TIMEOUT_SECONDS).append('\n');
    }
    out.append("resolv-retry infinite\n");
    out.append("persist-key\n");
    out.append("persist-tun\n");
    out.append("remote-cert-tls server\n");
    out.append("verify-x509-name ").append(quoted(in.serverName())).append(" name\n");
    out.append("tls-version-min ").append(in.tlsMinVersion()).append('\n');
    if (!in.dataCiphers().isEmpty()) {
      out.append("data-ciphers ").append(String.join(":", in.dataCiphers())).append('\n');
    }
    if (in.passwordAuthentication() != PasswordAuthentication.NONE) {
      // RADIUS password or OIDC token; the gateway may also answer with a web-SSO URL.
      out.append("auth-user-pass\n");
      out.append("auth-nocache\n");
      out.append("auth-retry interact\n");
      if (in.passwordAuthentication() == PasswordAuthentication.OIDC) {
        // openvpn 2.6 announces web sign-in only when told to (peer info IV_SSO): without it the
        // gateway cannot send the sign-in link (INFO_PRE,WEB_AUTH) and refuses a client that
        // sent no token as its password
        out.append("setenv IV_SSO webauth,crtext\n");
      }
    }
    out.append("verb 3\n");
    inline(out, "ca", in.caCertificatePem());
    if (!in.passwordOnly()) {
      inline(out, "cert", in.clientCertificatePem());
      inline(out, "key", in.clientKeyPem());
    }
    if (in.tlsCryptV2ClientKey() != null) {
      inline(out, "tls-crypt-v2", in.tlsCryptV2ClientKey());
    } else if (in.tlsCryptKey() != null) {
      inline(out, "tls-crypt", in.tlsCryptKey());
    }
    return out.toString();
  }

  private static void inline(StringBuilder out, String tag, String content) {
    out.append('<')
        .append(tag)
        .append(">\n")
        .append(content.strip())
        .append("\n</")
        .append(tag)
        .append(">\n");
  }

  /** OpenVPN's config parser takes double-quoted strings; the input forbids '"' and '\'. */
  private static String quoted(String value) {
    return value.contains(" ") ? "\"" + value + "\"" : value;
  }
}
