package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;

/**
 * The authentication protocols the server may ask for in LCP's Authentication-Protocol option
 * (RFC 1661 section 6.2), in the option's encoding.
 */
public enum PppAuthMethod {
  /** MS-CHAPv2: CHAP with algorithm 0x81 (RFC 2759 section 2). */
  MSCHAPV2(PppProtocol.CHAP, new byte[] {(byte) 0x81}),
  /** EAP (RFC 3748 section 7; PPP option of RFC 3748 / RFC 2284 section 2.1). */
  EAP(PppProtocol.EAP, new byte[0]);

  private final int protocol;
  private final byte[] algorithm;

  PppAuthMethod(int protocol, byte[] algorithm) {
    this.protocol = protocol;
    this.algorithm = algorithm;
  }

  public int protocol() {
    return protocol;
  }

  /** The option data: protocol then algorithm octets. */
  byte[] optionData() {
    byte[] d = new byte[2 + algorithm.length];
    d[0] = (byte) (protocol >>> 8);
    d[1] = (byte) protocol;
    System.arraycopy(algorithm, 0, d, 2, algorithm.length);
    return d;
  }

  /** The method an Authentication-Protocol option names, or null if none of ours. */
  static PppAuthMethod ofOption(byte[] data) {
    for (PppAuthMethod m : values()) {
      if (java.util.Arrays.equals(m.optionData(), data)) {
        return m;
      }
    }
    return null;
  }
}
