package io.vpngateway.gateway.sstp.message;

/** The Status field of the Status Info attribute (MS-SSTP section 2.2.5). */
public enum SstpStatus {
  NO_ERROR(0x00),
  DUPLICATE_ATTRIBUTE(0x01),
  UNRECOGNIZED_ATTRIBUTE(0x02),
  INVALID_ATTRIB_VALUE_LENGTH(0x03),
  VALUE_NOT_SUPPORTED(0x04),
  UNACCEPTED_FRAME_RECEIVED(0x05),
  RETRY_COUNT_EXCEEDED(0x06),
  INVALID_FRAME_RECEIVED(0x07),
  NEGOTIATION_TIMEOUT(0x08),
  ATTRIB_NOT_SUPPORTED_IN_MSG(0x09),
  REQUIRED_ATTRIBUTE_MISSING(0x0a),
  STATUS_INFO_NOT_SUPPORTED_IN_MSG(0x0b);

  private final int code;

  SstpStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static SstpStatus ofCode(int code) {
    for (SstpStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }
}
