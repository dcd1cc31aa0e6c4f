package io.vpngateway.gateway.auth.radius.message;

/**
 * Attribute type numbers used by the gateway (RFC 2865 section 5, RFC 2866 section 5, RFC 2869
 * section 5, RFC 3579 section 3) and Microsoft's vendor sub-types (RFC 2548, vendor 311).
 */
public final class RadiusAttributeType {
  private RadiusAttributeType() {}

  public static final int USER_NAME = 1;
  public static final int USER_PASSWORD = 2;
  public static final int NAS_IP_ADDRESS = 4;
  public static final int NAS_PORT = 5;
  public static final int SERVICE_TYPE = 6;
  public static final int FRAMED_PROTOCOL = 7;
  public static final int FRAMED_IP_ADDRESS = 8;
  public static final int FILTER_ID = 11;
  public static final int FRAMED_MTU = 12;
  public static final int REPLY_MESSAGE = 18;
  public static final int STATE = 24;
  public static final int CLASS = 25;
  public static final int VENDOR_SPECIFIC = 26;
  public static final int SESSION_TIMEOUT = 27;
  public static final int CALLED_STATION_ID = 30;
  public static final int CALLING_STATION_ID = 31;
  public static final int NAS_IDENTIFIER = 32;
  public static final int PROXY_STATE = 33;
  public static final int ACCT_STATUS_TYPE = 40;
  public static final int ACCT_DELAY_TIME = 41;
  public static final int ACCT_INPUT_OCTETS = 42;
  public static final int ACCT_OUTPUT_OCTETS = 43;
  public static final int ACCT_SESSION_ID = 44;
  public static final int ACCT_AUTHENTIC = 45;
  public static final int ACCT_SESSION_TIME = 46;
  public static final int ACCT_INPUT_PACKETS = 47;
  public static final int ACCT_OUTPUT_PACKETS = 48;
  public static final int ACCT_TERMINATE_CAUSE = 49;
  public static final int ACCT_INPUT_GIGAWORDS = 52;
  public static final int ACCT_OUTPUT_GIGAWORDS = 53;
  public static final int EVENT_TIMESTAMP = 55;
  public static final int NAS_PORT_TYPE = 61;
  public static final int EAP_MESSAGE = 79;
  /** Acct-Interim-Interval (RFC 2869 section 5.16): seconds between Interim-Updates. */
  public static final int ACCT_INTERIM_INTERVAL = 85;
  public static final int MESSAGE_AUTHENTICATOR = 80;

  /** Microsoft's vendor id (RFC 2548). */
  public static final int VENDOR_MICROSOFT = 311;

  public static final int MS_CHAP_ERROR = 2;
  public static final int MS_CHAP_CHALLENGE = 11;
  public static final int MS_MPPE_SEND_KEY = 16;
  public static final int MS_MPPE_RECV_KEY = 17;
  public static final int MS_CHAP2_RESPONSE = 25;
  public static final int MS_CHAP2_SUCCESS = 26;

  /** Service-Type Framed-User (RFC 2865 section 5.6). */
  public static final int SERVICE_TYPE_FRAMED = 2;

  /** NAS-Port-Type Virtual (RFC 2865 section 5.41): a VPN. */
  public static final int NAS_PORT_TYPE_VIRTUAL = 5;
}
