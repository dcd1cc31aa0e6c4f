package io.vpngateway.api.profile;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a strongSwan (5.9) IKEv2 road-warrior client for {@code swanctl} (swanctl.conf(5)): the
 * client asks for a virtual IP ({@code vips = 0.0.0.0}, RFC 7296 §3.15 configuration payload),
 * proves itself with its certificate (or EAP-MSCHAPv2 when the gateway uses RADIUS) and requires
 * the gateway's certificate to carry {@code serverName} (remote {@code id}). Credentials are files
 * in the {@code x509/}, {@code x509ca/} and {@code private/} directories next to swanctl.conf,
 * which is where {@code swanctl --load-all} looks for them.
 */
public final class SwanctlProfileRenderer {
  private SwanctlProfileRenderer() {}

  public static final String CERTIFICATE_FILE = "x509/client.crt";
  public static final String CA_FILE = "x509ca/ca.crt";
  public static final String KEY_FILE = "private/client.key";

  /** Stands for the user's RADIUS password in the commented-out secrets section. */
  public static final String PASSWORD_PLACEHOLDER = "<password>";

  public static SwanctlProfile render(ClientProfileInput in) {
    if (!in.has(VpnProtocol.IKEv2)) {
      throw new IllegalArgumentException("IKEv2 is not enabled on gateway " + in.gatewayName());
    }
    String name = connectionName(in.gatewayName());
    boolean eap = in.passwordAuthentication() == PasswordAuthentication.RADIUS;
    StringBuilder conf = new StringBuilder();
    conf.append("# strongSwan swanctl.conf for ")
        .append(in.clientName())
        .append(" on gateway ")
        .append(in.gatewayName())
        .append(".\n");
    conf.append(
            "# Install: see the instructions shipped with this file. Connect: swanctl --initiate"
                + " --child ")
        .append(name)
        .append('\n');
    conf.append("connections {\n");
    conf.append("  ").append(name).append(" {\n");
    conf.append("    version = 2\n");
    conf.append("    remote_addrs = ").append(in.endpointHost()).append('\n');
    if (in.ikePort() != 500) {
      conf.append("    remote_port = ").append(in.ikePort()).append('\n');
    }
    conf.append("    vips = 0.0.0.0\n");
    conf.append("    proposals = ").append(String.join(", ", in.ikeProposals())).append('\n');
    conf.append("    send_certreq = yes\n");
    conf.append("    dpd_delay = 30s\n");
    conf.append("    local {\n");
    if (eap) {
      conf.append("      auth = eap-mschapv2\n");
      conf.append("      eap_id = ").append(quoted(in.clientName())).append('\n');
    } else {
      conf.append("      auth = pubkey\n");
      conf.append("      certs = ").append(fileName(CERTIFICATE_FILE)).append('\n');
    }
    conf.append("    }\n");
    conf.append("    remote {\n");
    conf.append("      auth = pubkey\n");
    conf.append("      id = ").append(quoted(remoteIdentity(in.serverName()))).append('\n');
    conf.append("      cacerts = ").append(fileName(CA_FILE)).append('\n');
    conf.append("    }\n");
    conf.append("    children {\n");
    conf.append("      ").append(name).append(" {\n");
    conf.append("        remote_ts = ")
        .append(String.join(", ", remoteTrafficSelectors(in)))
        .append('\n');
    conf.append("        esp_proposals = ")
        .append(String.join(", ", in.espProposals()))
        .append('\n');
    conf.append("        dpd_action = restart\n");
    conf.append("        close_action = none\n");
    conf.append("      }\n");
    conf.append("    }\n");
    conf.append("  }\n");
    conf.append("}\n");
    if (eap) {
      // swanctl refuses an empty secret, so the block ships commented out for the user to fill in.
      conf.append("# Uncomment and put your RADIUS password in place of ")
          .append(PASSWORD_PLACEHOLDER)
          .append(":\n");
      conf.append("# secrets {\n");
      conf.append("#   eap-").append(name).append(" {\n");
      conf.append("#     id = ").append(quoted(in.clientName())).append('\n');
      conf.append("#     secret = \"").append(PASSWORD_PLACEHOLDER).append("\"\n");
      conf.append("#   }\n");
      conf.append("# }\n");
    }

    Map<String, String> files = new LinkedHashMap<>();
    files.put(CA_FILE, in.caCertificatePem());
    if (!eap) {
      files.put(CERTIFICATE_FILE, in.clientCertificatePem());
      files.put(KEY_FILE, in.clientKeyPem());
    }
    return new SwanctlProfile(conf.toString(), files, instructions(name, eap));
  }

  /**
   * The gateway's IKE identity as swanctl.conf(5) writes it. A host name or address is an FQDN or
   * IP identity, which strongSwan finds among the certificate's subjectAltNames; a name that is
   * neither (a CN such as {@code corp gateway}) can only be matched as the subject DN.
   */
  static String remoteIdentity(String serverName) {
    return serverName.matches("[A-Za-z0-9.:\\-]+") ? serverName : "CN=" + serverName;
  }

  /** Split tunnel: the gateway's routes; full tunnel: everything. */
  static List<String> remoteTrafficSelectors(ClientProfileInput in) {
    if (in.forceTunnel() || in.routes().isEmpty()) {
      return List.of("0.0.0.0/0");
    }
    return in.routes();
  }

  /** swanctl section names: letters, digits, '-' and '_' only. */
  static String connectionName(String gatewayName) {
    String name = gatewayName.replaceAll("[^A-Za-z0-9_-]", "-");
    return name.isEmpty() ? "vpngateway" : name;
  }

  private static String fileName(String path) {
    return path.substring(path.indexOf('/') + 1);
  }

  private static String quoted(String value) {
    return "\"" + value + "\"";
  }

  private static String instructions(String name, boolean eap) {
    StringBuilder text = new StringBuilder();
    text.append("strongSwan (swanctl) setup, as root:\n\n");
    text.append("1. Copy the files into the swanctl directory (/etc/swanctl on Debian/Ubuntu):\n");
    text.append("     swanctl.conf  -> /etc/swanctl/conf.d/").append(name).append(".conf\n");
    text.append("     ca.crt        -> /etc/swanctl/").append(CA_FILE).append('\n');
    if (!eap) {
      text.append("     tls.crt       -> /etc/swanctl/").append(CERTIFICATE_FILE).append('\n');
      text.append("     tls.key       -> /etc/swanctl/")
          .append(KEY_FILE)
          .append("   (chmod 600)\n");
    } else {
      text.append(
          "   then uncomment the secrets section of the .conf file and set your password.\n");
    }
    text.append("2. Load everything:   swanctl --load-all\n");
    text.append("3. Connect:           swanctl --initiate --child ").append(name).append('\n');
    text.append("4. Disconnect:        swanctl --terminate --ike ").append(name).append('\n');
    text.append(
        "\nThe charon daemon needs its 'resolve' plugin to apply the DNS servers the gateway\n");
    text.append("assigns, and a kernel with ESP (or the kernel-libipsec plugin) for the tunnel.\n");
    return text.toString();
  }
}
