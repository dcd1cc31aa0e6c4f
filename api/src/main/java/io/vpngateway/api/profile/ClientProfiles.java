package io.vpngateway.api.profile;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders every profile that applies to the gateway's protocols, keyed by the file name it gets in
 * the client's Secret (Secret keys cannot contain '/', so swanctl's credential files are not
 * repeated here: they are {@code tls.crt}, {@code tls.key} and {@code ca.crt}, and the instructions
 * say where each goes).
 */
public final class ClientProfiles {
  private ClientProfiles() {}

  public static final String OPENVPN = "client.ovpn";
  public static final String SWANCTL = "swanctl.conf";
  public static final String SWANCTL_INSTRUCTIONS = "swanctl-README.txt";
  public static final String APPLE = "client.mobileconfig";
  public static final String WINDOWS = "windows-vpn.ps1";

  public static Map<String, byte[]> render(ClientProfileInput in) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (in.has(VpnProtocol.OpenVPN)) {
      files.put(OPENVPN, utf8(OpenVpnProfileRenderer.render(in)));
    }
    if (in.has(VpnProtocol.IKEv2)) {
      SwanctlProfile swanctl = SwanctlProfileRenderer.render(in);
      files.put(SWANCTL, utf8(swanctl.swanctlConf()));
      files.put(SWANCTL_INSTRUCTIONS, utf8(swanctl.instructions()));
      files.put(APPLE, utf8(AppleProfileRenderer.render(in)));
    }
    if (in.has(VpnProtocol.IKEv2) || in.has(VpnProtocol.SSTP)) {
      files.put(WINDOWS, utf8(WindowsProfileRenderer.render(in)));
    }
    return Collections.unmodifiableMap(files);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
