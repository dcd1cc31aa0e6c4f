package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKeyMaterial;
import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Chooses between the two data-key derivations of openvpn 2.6: the TLS exporter (tls-ekm, when
 * the client sets IV_PROTO_TLS_KEY_EXPORT and this JVM can export) or the key-method-2 PRF.
 */
final class DataKeyDerivation {
  private DataKeyDerivation() {}

  /**
   * Whether the key state's TLS session can export keying material; the material exported to
   * find out is kept for {@link #derive} (one export per key state instead of two).
   */
  static boolean exporterWorks(KeyState ks) {
    ks.exportedKeyMaterial = export(ks.tls.session()).orElse(null);
    return ks.exportedKeyMaterial != null;
  }

  /** Zeroes the exported material a key state kept and never derived keys from. */
  static void wipe(KeyState ks) {
    byte[] kept = ks.exportedKeyMaterial;
    ks.exportedKeyMaterial = null;
    if (kept != null) {
      Arrays.fill(kept, (byte) 0);
    }
  }

  private static Optional<byte[]> export(SSLSession session) {
    return TlsKeyExporter.export(session, TlsKeyExporter.OPENVPN_LABEL,
        DataChannelKeyMaterial.LENGTH);
  }

  static DataChannelKey derive(KeyState ks, DataCipherSuite cipher, boolean ekm,
      long clientSessionId, long serverSessionId, int peerId) throws HandshakeException {
    DataChannelKeyMaterial material;
    byte[] kept = ks.exportedKeyMaterial;
    ks.exportedKeyMaterial = null;
    if (ekm) {
      Optional<byte[]> exported = kept != null ? Optional.of(kept) : export(ks.tls.session());
      if (exported.isEmpty()) {
        throw new HandshakeException("TLS keying material export failed");
      }
      material = DataChannelKeyMaterial.fromExporter(exported.get());
      Arrays.fill(exported.get(), (byte) 0);
    } else {
      if (kept != null) {
        Arrays.fill(kept, (byte) 0);
      }
      KeyMethod2Client c = ks.clientKeyMethod;
      material = DataChannelKeyMaterial.fromPrf(c.preMaster(), c.random1(), c.random2(),
          ks.serverRandom1, ks.serverRandom2, clientSessionId, serverSessionId);
    }
    try {
      return DataChannelKey.create(cipher, material, ks.keyId, peerId);
    } catch (GeneralSecurityException e) {
      throw new HandshakeException("cannot build data channel cipher " + cipher.openVpnName(), e);
    }
  }
}
