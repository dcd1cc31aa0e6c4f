package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKeyMaterial;
import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Chooses between the two data-key derivations of openvpn 2.6: the TLS exporter (tls-ekm, when
 * the client sets IV_PROTO_TLS_KEY_EXPORT and this JVM can export) or the key-method-2 PRF.
 */
final class DataKeyDerivation {
  private DataKeyDerivation() {}

  static boolean exporterWorks(SSLSession session) {
    return TlsKeyExporter.export(session, TlsKeyExporter.OPENVPN_LABEL,
        DataChannelKeyMaterial.LENGTH).isPresent();
  }

  static DataChannelKey derive(KeyState ks, DataCipherSuite cipher, boolean ekm,
      long clientSessionId, long serverSessionId, int peerId) throws HandshakeException {
    DataChannelKeyMaterial material;
    if (ekm) {
      Optional<byte[]> exported = TlsKeyExporter.export(ks.tls.session(),
          TlsKeyExporter.OPENVPN_LABEL, DataChannelKeyMaterial.LENGTH);
      if (exported.isEmpty()) {
        throw new HandshakeException("TLS keying material export failed");
      }
      material = DataChannelKeyMaterial.fromExporter(exported.get());
    } else {
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
