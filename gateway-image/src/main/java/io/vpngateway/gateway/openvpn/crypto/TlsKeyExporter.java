package io.vpngateway.gateway.openvpn.crypto;

import java.lang.reflect.Method;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * RFC 5705 / RFC 8446 section 7.5 keying-material exporter, used for OpenVPN's tls-ekm (label
 * {@code EXPORTER-OpenVPN-datakeys}, no context, 256 bytes; openvpn {@code ssl.c:
 * generate_key_expansion_tls_export}). The JDK offers it from Java 25 as {@code
 * ExtendedSSLSession.exportKeyingMaterialData}; this code compiles for Java 17, so it looks the
 * method up reflectively and reports absence, in which case the server falls back to the PRF and
 * does not announce tls-ekm.
 */
public final class TlsKeyExporter {
  public static final String OPENVPN_LABEL = "EXPORTER-OpenVPN-datakeys";
  private static final Method EXPORT = find();

  private TlsKeyExporter() {}

  private static Method find() {
    try {
      Class<?> c = Class.forName("javax.net.ssl.ExtendedSSLSession");
      return c.getMethod("exportKeyingMaterialData", String.class, byte[].class, int.class);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** Whether this JVM can export keying material at all. */
  public static boolean available() {
    return EXPORT != null;
  }

  /** Exports {@code length} bytes, or empty when the JVM or this session cannot. */
  public static Optional<byte[]> export(SSLSession session, String label, int length) {
    if (EXPORT == null || !EXPORT.getDeclaringClass().isInstance(session)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable((byte[]) EXPORT.invoke(session, label, null, length));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
