package io.vpngateway.gateway.ikev2.message;

import java.util.Arrays;

/**
 * One configuration attribute, RFC 7296 §3.15.1: {@code R(1 bit) | Attribute Type (15) | Length
 * (2) | Value}. An empty value in a CFG_REQUEST asks for any value.
 */
public record ConfigAttribute(int attributeType, byte[] value) {
  public static final int INTERNAL_IP4_ADDRESS = 1;
  public static final int INTERNAL_IP4_NETMASK = 2;
  public static final int INTERNAL_IP4_DNS = 3;
  public static final int INTERNAL_IP4_NBNS = 4;
  public static final int INTERNAL_IP4_DHCP = 6;
  public static final int APPLICATION_VERSION = 7;
  public static final int INTERNAL_IP6_ADDRESS = 8;
  public static final int INTERNAL_IP6_DNS = 10;
  public static final int INTERNAL_IP4_SUBNET = 13;
  public static final int SUPPORTED_ATTRIBUTES = 14;
  public static final int INTERNAL_IP6_SUBNET = 15;
  /** RFC 8598 §3.1. */
  public static final int INTERNAL_DNS_DOMAIN = 25;

  public ConfigAttribute {
    value = value.clone();
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigAttribute a
        && a.attributeType == attributeType
        && Arrays.equals(a.value, value);
  }

  @Override
  public int hashCode() {
    return attributeType * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "attr" + attributeType + "(" + value.length + ")";
  }
}
