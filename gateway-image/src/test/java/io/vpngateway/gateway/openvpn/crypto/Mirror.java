package io.vpngateway.gateway.openvpn.crypto;

/** Test helper: swaps the two halves of a key2, turning the server's view into the client's. */
final class Mirror {
  private Mirror() {}

  static byte[] swapHalves(byte[] key2) {
    byte[] out = new byte[key2.length];
    System.arraycopy(key2, 128, out, 0, 128);
    System.arraycopy(key2, 0, out, 128, 128);
    return out;
  }
}
