package io.vpngateway.gateway.runtime;

import io.vpngateway.api.pki.Thumbprints;
import io.vpngateway.gateway.session.TunnelSession;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificate chains of clients that authenticated, by the leaf's SHA-256 (the key that {@link
 * io.vpngateway.gateway.session.ClientIdentity#certificateSha256()} carries), so that after a
 * reload every live session's certificate can be checked again under the new trust configuration.
 * An entry is dropped when the last session using it ends.
 */
public final class LiveCertificates {
  private final ConcurrentHashMap<String, X509Certificate[]> bySha256 = new ConcurrentHashMap<>();

  void remember(X509Certificate[] chain) {
    if (chain != null && chain.length > 0) {
      bySha256.put(key(Thumbprints.sha256(chain[0])), chain.clone());
    }
  }

  Optional<X509Certificate[]> chainOf(TunnelSession session) {
    String sha = session.identity().certificateSha256();
    return sha == null ? Optional.empty() : Optional.ofNullable(bySha256.get(key(sha)));
  }

  /** Forgets the session's chain unless another live session still uses the same certificate. */
  void sessionEnded(TunnelSession ended, Iterable<TunnelSession> live) {
    String sha = ended.identity().certificateSha256();
    if (sha == null) {
      return;
    }
    for (TunnelSession s : live) {
      if (s != ended && sha.equalsIgnoreCase(s.identity().certificateSha256())) {
        return;
      }
    }
    bySha256.remove(key(sha));
  }

  int size() {
    return bySha256.size();
  }

  private static String key(String sha256Hex) {
    return sha256Hex.replace(":", "").toLowerCase(Locale.ROOT);
  }
}
