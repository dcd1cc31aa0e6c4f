package io.vpngateway.api.profile;

import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Renders a PowerShell script that sets up the Windows built-in VPN client (Windows 10/11,
 * VpnClient module): it imports the CA into the machine's trusted roots and the client identity,
 * then adds one connection per enabled protocol with {@code Add-VpnConnection}.
 *
 * <ul>
 *   <li>IKEv2 ({@code -TunnelType Ikev2}): certificate authentication is {@code MachineCertificate}
 *       (IKEv2 signature authentication with the identity in LocalMachine\My, RFC 7296 §2.15); with
 *       RADIUS it is EAP-MSCHAPv2. {@code Set-VpnConnectionIPsecConfiguration} pins the first IKE
 *       and ESP proposals Windows can express, since Windows' defaults include weak proposals
 *       (3DES, SHA-1, DH group 2).
 *   <li>SSTP ({@code -TunnelType Sstp}, MS-SSTP over HTTPS): certificate authentication is EAP-TLS
 *       with the identity in CurrentUser\My ({@code New-EapConfiguration -Tls -UserCertificate});
 *       with RADIUS it is MS-CHAPv2.
 * </ul>
 *
 * <p>Windows checks that the server certificate chains to a trusted root, has EKU serverAuth (and,
 * for IKEv2, accepts IKE intermediate) and a SAN matching the server address; the CA issues the
 * server certificate that way.
 */
public final class WindowsProfileRenderer {
  private WindowsProfileRenderer() {}

  public static String render(ClientProfileInput in) {
    if (!in.has(VpnProtocol.IKEv2) && !in.has(VpnProtocol.SSTP)) {
      throw new IllegalArgumentException(
          "neither IKEv2 nor SSTP is enabled on gateway " + in.gatewayName());
    }
    boolean radius = in.passwordAuthentication() == PasswordAuthentication.RADIUS;
    StringBuilder ps = new StringBuilder();
    ps.append("# Windows VPN setup for ")
        .append(in.clientName())
        .append(" on gateway ")
        .append(in.gatewayName())
        .append(".\n");
    ps.append(
        "# Run in an elevated PowerShell: powershell -ExecutionPolicy Bypass -File"
            + " .\\windows-vpn.ps1\n");
    ps.append("#Requires -RunAsAdministrator\n");
    ps.append("$ErrorActionPreference = 'Stop'\n\n");
    ps.append("$Gateway = ").append(sq(in.gatewayName())).append('\n');
    ps.append("$Server = ").append(sq(in.endpointHost())).append('\n');
    ps.append("$CaCertificate = ").append(sq(caBase64(in))).append('\n');
    ps.append("$Pkcs12 = ").append(sq(in.pkcs12().base64())).append('\n');
    ps.append("$Pkcs12Password = ConvertTo-SecureString -String ")
        .append(sq(in.pkcs12().password()))
        .append(" -AsPlainText -Force\n\n");

    ps.append("# Trust the gateway's CA and install the client identity.\n");
    ps.append("$caFile = Join-Path $env:TEMP \"$Gateway-ca.cer\"\n");
    ps.append("$p12File = Join-Path $env:TEMP \"$Gateway-client.p12\"\n");
    ps.append("try {\n");
    ps.append("  [IO.File]::WriteAllBytes($caFile, [Convert]::FromBase64String($CaCertificate))\n");
    ps.append("  [IO.File]::WriteAllBytes($p12File, [Convert]::FromBase64String($Pkcs12))\n");
    ps.append(
        "  Import-Certificate -FilePath $caFile -CertStoreLocation Cert:\\LocalMachine\\Root |"
            + " Out-Null\n");
    if (in.has(VpnProtocol.IKEv2) && !radius) {
      ps.append("  # IKEv2 machine-certificate authentication reads LocalMachine\\My.\n");
      ps.append(
              "  Import-PfxCertificate -FilePath $p12File -CertStoreLocation"
                  + " Cert:\\LocalMachine\\My")
          .append(" -Password $Pkcs12Password | Out-Null\n");
    }
    if (in.has(VpnProtocol.SSTP) && !radius) {
      ps.append("  # SSTP EAP-TLS reads the user's store.\n");
      ps.append(
              "  Import-PfxCertificate -FilePath $p12File -CertStoreLocation"
                  + " Cert:\\CurrentUser\\My")
          .append(" -Password $Pkcs12Password | Out-Null\n");
    }
    ps.append("} finally {\n");
    ps.append("  Remove-Item -Force -ErrorAction SilentlyContinue $caFile, $p12File\n");
    ps.append("}\n");

    if (in.has(VpnProtocol.IKEv2)) {
      ps.append('\n');
      ikev2(ps, in, radius);
    }
    if (in.has(VpnProtocol.SSTP)) {
      ps.append('\n');
      sstp(ps, in, radius);
    }
    ps.append(
        "\n"
            + "Write-Host \"VPN connections for $Gateway are installed; connect from Settings >"
            + " Network > VPN.\"\n");
    return ps.toString();
  }

  private static void ikev2(StringBuilder ps, ClientProfileInput in, boolean radius) {
    String name = "\"$Gateway (IKEv2)\"";
    ps.append("# IKEv2\n");
    ps.append("$name = ").append(name).append('\n');
    ps.append("Get-VpnConnection -Name $name -ErrorAction SilentlyContinue | ")
        .append("Remove-VpnConnection -Force\n");
    if (radius) {
      ps.append("$eap = New-EapConfiguration\n"); // default: EAP-MSCHAPv2
    }
    ps.append("Add-VpnConnection -Name $name -ServerAddress $Server -TunnelType Ikev2")
        .append(
            radius
                ? " -AuthenticationMethod Eap -EapConfigXmlStream $eap.EapConfigXmlStream"
                : " -AuthenticationMethod MachineCertificate")
        .append(" -EncryptionLevel Required")
        .append(tunnelOptions(in))
        .append(" -Force\n");
    Optional<IpsecProposal> ike =
        in.parsedIkeProposals().stream().filter(IpsecProposal::windowsIkeCapable).findFirst();
    Optional<IpsecProposal> esp =
        in.parsedEspProposals().stream().filter(IpsecProposal::windowsEspCapable).findFirst();
    if (ike.isPresent() && esp.isPresent()) {
      IpsecProposal i = ike.get();
      IpsecProposal e = esp.get();
      ps.append("Set-VpnConnectionIPsecConfiguration -ConnectionName $name")
          .append(" -EncryptionMethod ")
          .append(i.encryption().windows)
          .append(" -IntegrityCheckMethod ")
          .append(i.prfOrIntegrity().windowsIke)
          .append(" -DHGroup ")
          .append(i.group().orElseThrow().windowsDh)
          .append(" -CipherTransformConstants ")
          .append(e.encryption().windows)
          .append(" -AuthenticationTransformConstants ")
          .append(
              e.encryption().aead ? e.encryption().windows : e.integrity().orElseThrow().windowsEsp)
          .append(" -PfsGroup ")
          .append(e.group().map(g -> g.windowsPfs).orElse("None"))
          .append(" -Force\n");
    } else {
      ps.append(
          "# None of the gateway's proposals can be expressed on Windows; Windows defaults"
              + " apply.\n");
    }
    routes(ps, in);
  }

  private static void sstp(StringBuilder ps, ClientProfileInput in, boolean radius) {
    ps.append("# SSTP\n");
    ps.append("$name = \"$Gateway (SSTP)\"\n");
    ps.append("Get-VpnConnection -Name $name -ErrorAction SilentlyContinue | ")
        .append("Remove-VpnConnection -Force\n");
    String server = in.sstpPort() == 443 ? "$Server" : "\"${Server}:" + in.sstpPort() + "\"";
    if (radius) {
      ps.append("Add-VpnConnection -Name $name -ServerAddress ")
          .append(server)
          .append(" -TunnelType Sstp -AuthenticationMethod MSChapv2");
    } else {
      ps.append("$eap = New-EapConfiguration -Tls -UserCertificate\n");
      ps.append("Add-VpnConnection -Name $name -ServerAddress ")
          .append(server)
          .append(
              " -TunnelType Sstp -AuthenticationMethod Eap -EapConfigXmlStream"
                  + " $eap.EapConfigXmlStream");
    }
    ps.append(" -EncryptionLevel Required").append(tunnelOptions(in)).append(" -Force\n");
    routes(ps, in);
  }

  private static String tunnelOptions(ClientProfileInput in) {
    List<String> options = new ArrayList<>();
    options.add(in.forceTunnel() ? "-SplitTunneling:$false" : "-SplitTunneling:$true");
    if (!in.searchDomains().isEmpty()) {
      options.add("-DnsSuffix " + sq(in.searchDomains().get(0)));
    }
    if (in.passwordAuthentication() == PasswordAuthentication.RADIUS) {
      options.add("-RememberCredential");
    }
    return " " + String.join(" ", options);
  }

  private static void routes(StringBuilder ps, ClientProfileInput in) {
    if (in.forceTunnel()) {
      return;
    }
    for (String route : in.routes()) {
      ps.append("Add-VpnConnectionRoute -ConnectionName $name -DestinationPrefix ")
          .append(route)
          .append(" -PassThru | Out-Null\n");
    }
  }

  private static String caBase64(ClientProfileInput in) {
    try {
      return Base64.getEncoder()
          .encodeToString(Pem.decodeCertificate(in.caCertificatePem()).getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode the CA certificate", e);
    }
  }

  /** A PowerShell single-quoted (verbatim) string: only ' needs escaping, by doubling it. */
  static String sq(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
