package io.vpngateway.gateway.ikev2.message;

/** IKEv2 payload type numbers, RFC 7296 §3.2 (plus SKF, RFC 7383 §2.5). */
public final class PayloadType {
  private PayloadType() {}

  public static final int NONE = 0;
  public static final int SA = 33;
  public static final int KE = 34;
  public static final int IDI = 35;
  public static final int IDR = 36;
  public static final int CERT = 37;
  public static final int CERTREQ = 38;
  public static final int AUTH = 39;
  public static final int NONCE = 40;
  public static final int NOTIFY = 41;
  public static final int DELETE = 42;
  public static final int VENDOR_ID = 43;
  public static final int TSI = 44;
  public static final int TSR = 45;
  public static final int SK = 46;
  public static final int CP = 47;
  public static final int EAP = 48;
  public static final int SKF = 53;

  /** A short name for logs. */
  public static String name(int type) {
    return switch (type) {
      case SA -> "SA";
      case KE -> "KE";
      case IDI -> "IDi";
      case IDR -> "IDr";
      case CERT -> "CERT";
      case CERTREQ -> "CERTREQ";
      case AUTH -> "AUTH";
      case NONCE -> "No";
      case NOTIFY -> "N";
      case DELETE -> "D";
      case VENDOR_ID -> "V";
      case TSI -> "TSi";
      case TSR -> "TSr";
      case SK -> "SK";
      case CP -> "CP";
      case EAP -> "EAP";
      case SKF -> "SKF";
      default -> "#" + type;
    };
  }
}
