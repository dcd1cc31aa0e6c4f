package io.vpngateway.gateway.auth.radius.message;

import java.util.Optional;

/** RADIUS packet codes the gateway sends or understands (RFC 2865 section 3, RFC 2866 section 3). */
public enum RadiusCode {
  ACCESS_REQUEST(1),
  ACCESS_ACCEPT(2),
  ACCESS_REJECT(3),
  ACCOUNTING_REQUEST(4),
  ACCOUNTING_RESPONSE(5),
  ACCESS_CHALLENGE(11),
  STATUS_SERVER(12);

  private final int value;

  RadiusCode(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public static Optional<RadiusCode> of(int value) {
    for (RadiusCode c : values()) {
      if (c.value == value) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
