package io.vpngateway.gateway.sstp.ppp.message;

/** PPP protocol numbers (RFC 1661 section 2; IANA PPP DLL protocol numbers). */
public final class PppProtocol {
  public static final int IPV4 = 0x0021;
  public static final int IPV6 = 0x0057;
  public static final int IPCP = 0x8021;
  public static final int IPV6CP = 0x8057;
  public static final int CCP = 0x80fd;
  public static final int LCP = 0xc021;
  public static final int PAP = 0xc023;
  public static final int CHAP = 0xc223;
  public static final int EAP = 0xc227;

  private PppProtocol() {}

  /** Network-layer data (0x0xxx-0x3xxx) rather than a control protocol (RFC 1661 section 2). */
  public static boolean isNetworkData(int protocol) {
    return protocol < 0x4000;
  }

  public static String name(int protocol) {
    switch (protocol) {
      case IPV4:
        return "IPv4";
      case IPV6:
        return "IPv6";
      case IPCP:
        return "IPCP";
      case IPV6CP:
        return "IPV6CP";
      case CCP:
        return "CCP";
      case LCP:
        return "LCP";
      case PAP:
        return "PAP";
      case CHAP:
        return "CHAP";
      case EAP:
        return "EAP";
      default:
        return String.format("0x%04x", protocol);
    }
  }
}
