package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Says at start which JVM the gateway runs on and how OpenVPN data-channel keys are derived, so a
 * gateway that fell back to Java 17 (no TLS keying-material exporter, hence no tls-ekm) is visible
 * in the first lines of its log instead of only in a client's debug output.
 */
final class JvmReport {
  private static final Logger LOG = Logger.getLogger(JvmReport.class.getName());

  private JvmReport() {}

  static void log() {
    boolean exporter = TlsKeyExporter.available();
    LOG.log(exporter ? Level.INFO : Level.WARNING, describe(exporter));
  }

  static String describe(boolean exporter) {
    String jvm =
        "JVM "
            + System.getProperty("java.vm.name")
            + " "
            + Runtime.version()
            + " ("
            + System.getProperty("java.home")
            + ")";
    if (exporter) {
      return jvm
          + "; OpenVPN data-channel keys: tls-ekm (TLS keying-material exporter, RFC 5705) for"
          + " clients that announce it, the key-method-2 TLS PRF for the others";
    }
    return jvm
        + " has no TLS keying-material exporter (Java 25 has): OpenVPN data-channel keys use the"
        + " key-method-2 TLS PRF for every client and tls-ekm is not offered; ChaCha20-Poly1305"
        + " is also slower. Run the gateway on Java 25 (scripts/install-java25.sh, README)";
  }
}
