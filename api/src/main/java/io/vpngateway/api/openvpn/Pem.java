package io.vpngateway.api.openvpn;

import java.util.ArrayList;
import java.util.List;

/** Tiny helper for OpenVPN's PEM-like armour ({@code -----BEGIN <label>-----}). */
final class Pem {
  private Pem() {}

  static String begin(String label) {
    return "-----BEGIN " + label + "-----";
  }

  static String end(String label) {
    return "-----END " + label + "-----";
  }

  /** The non-empty, non-comment lines between BEGIN and END of {@code label}. */
  static List<String> body(String text, String label) throws OpenVpnKeyFormatException {
    int start = text.indexOf(begin(label));
    if (start < 0) {
      throw new OpenVpnKeyFormatException("no '" + begin(label) + "' line");
    }
    int stop = text.indexOf(end(label), start);
    if (stop < 0) {
      throw new OpenVpnKeyFormatException("no '" + end(label) + "' line");
    }
    String inner = text.substring(start + begin(label).length(), stop);
    List<String> lines = new ArrayList<>();
    for (String line : inner.split("\r?\n")) {
      String t = line.trim();
      if (!t.isEmpty() && !t.startsWith("#")) {
        lines.add(t);
      }
    }
    return lines;
  }
}
