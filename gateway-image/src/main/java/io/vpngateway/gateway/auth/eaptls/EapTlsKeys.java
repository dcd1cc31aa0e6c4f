package io.vpngateway.gateway.auth.eaptls;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLSession;

/**
 * The EAP-TLS Master Session Key (RFC 5216 §2.3): {@code Key_Material = TLS-PRF-128(master_secret,
 * "client EAP encryption", client.random || server.random)}, {@code MSK = Key_Material(0, 63)},
 * which is the TLS 1.2 keying-material exporter of RFC 5705 §4 with that label and no context.
 *
 * <p>The JDK exposes the exporter from Java 25 ({@code
 * ExtendedSSLSession.exportKeyingMaterialData}, JDK-8341346); the gateway is compiled for 17, so
 * the method is looked up once at run time and
 * local EAP-TLS is only offered when it exists (the gateway image runs Java 25). The JDK refuses to
 * export from a TLS 1.2 session without the extended master secret (RFC 7627 §5.4), so a client
 * without it cannot finish EAP-TLS here (OpenSSL-based clients such as pppd, and Windows, send
 * it; strongSwan 5.9's own TLS stack does not): without it the master secret, and so the MSK that
 * keys IKEv2's AUTH and SSTP's crypto binding, is not bound to this handshake (the triple
 * handshake attack). Such a client can still use EAP-TLS through RADIUS, or certificate
 * authentication.
 */
final class EapTlsKeys {
  /** RFC 5216 §2.3. */
  static final String LABEL = "client EAP encryption";

  static final int MSK_LENGTH = 64;

  private static final Optional<Method> EXPORTER = lookup();

  private EapTlsKeys() {}

  /** Whether this JVM can export TLS keying material (Java 25 and later). */
  static boolean available() {
    return EXPORTER.isPresent();
  }

  /**
   * The 64-octet MSK of a completed TLS 1.2 session.
   *
   * @throws IllegalStateException when the session cannot export keys (no extended master
   *     secret, or a JVM without the exporter)
   */
  static byte[] msk(SSLSession session) {
    Method export =
        EXPORTER.orElseThrow(() -> new IllegalStateException("this JVM has no TLS key exporter"));
    if (!(session instanceof ExtendedSSLSession)) {
      throw new IllegalStateException("not an extended TLS session");
    }
    try {
      return (byte[]) export.invoke(session, LABEL, null, MSK_LENGTH);
    } catch (InvocationTargetException e) {
      String why = String.valueOf(e.getCause().getMessage());
      if (why.contains("extended master")) {
        throw new IllegalStateException(
            "the client did not negotiate the extended master secret (RFC 7627), without which"
                + " no EAP-TLS keys are exported (RFC 7627 section 5.4)",
            e.getCause());
      }
      throw new IllegalStateException("the TLS session exports no keys: " + why, e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("the TLS key exporter is not accessible", e);
    }
  }

  private static Optional<Method> lookup() {
    try {
      return Optional.of(
          ExtendedSSLSession.class.getMethod(
              "exportKeyingMaterialData", String.class, byte[].class, int.class));
    } catch (NoSuchMethodException e) {
      return Optional.empty();
    }
  }
}
