package io.vpngateway.gateway.auth.radius.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One RADIUS attribute (RFC 2865 section 5): a type octet and up to 253 octets of value. Vendor
 * attributes (type 26, section 5.26) are kept whole; {@link #vendorId()} and {@link
 * #vendorPayload(int, int)} read the usual vendor-type/vendor-length layout (RFC 2548 for
 * Microsoft's, vendor 311).
 *
 * <p>Immutable: the value array is copied in and out.
 */
public final class RadiusAttribute {
  /** Largest value an attribute can carry (255 minus the type and length octets). */
  public static final int MAX_VALUE_LENGTH = 253;

  private final int type;
  private final byte[] value;

  public RadiusAttribute(int type, byte[] value) {
    if (type < 1 || type > 255) {
      throw new IllegalArgumentException("attribute type out of range: " + type);
    }
    if (value.length > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "attribute " + type + " value too long: " + value.length + " > " + MAX_VALUE_LENGTH);
    }
    this.type = type;
    this.value = value.clone();
  }

  public static RadiusAttribute string(int type, String value) {
    return new RadiusAttribute(type, value.getBytes(StandardCharsets.UTF_8));
  }

  public static RadiusAttribute integer(int type, long value) {
    return new RadiusAttribute(type, ByteBuffer.allocate(4).putInt((int) value).array());
  }

  /** A Vendor-Specific attribute holding one sub-attribute (vendor-type, vendor-length, data). */
  public static RadiusAttribute vendor(int vendorId, int vendorType, byte[] data) {
    if (data.length > MAX_VALUE_LENGTH - 6) {
      throw new IllegalArgumentException("vendor attribute value too long: " + data.length);
    }
    ByteBuffer b = ByteBuffer.allocate(6 + data.length);
    b.putInt(vendorId).put((byte) vendorType).put((byte) (2 + data.length)).put(data);
    return new RadiusAttribute(RadiusAttributeType.VENDOR_SPECIFIC, b.array());
  }

  public int type() {
    return type;
  }

  public byte[] value() {
    return value.clone();
  }

  public int length() {
    return value.length;
  }

  /** The value as UTF-8 text (bytes that are not UTF-8 become replacement characters). */
  public String asString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The value as an unsigned 32-bit integer; empty when it is not 4 octets. */
  public Optional<Long> asInteger() {
    if (value.length != 4) {
      return Optional.empty();
    }
    return Optional.of(ByteBuffer.wrap(value).getInt() & 0xffffffffL);
  }

  /** The vendor id of a Vendor-Specific attribute; -1 for any other attribute. */
  public long vendorId() {
    if (type != RadiusAttributeType.VENDOR_SPECIFIC || value.length < 4) {
      return -1;
    }
    return ByteBuffer.wrap(value).getInt() & 0xffffffffL;
  }

  /**
   * The data of the sub-attribute {@code vendorType} of vendor {@code vendorId}, when this is such a
   * Vendor-Specific attribute in the RFC 2865 suggested layout; empty otherwise (or when the
   * sub-attribute's length is inconsistent).
   */
  public Optional<byte[]> vendorPayload(int vendorId, int vendorType) {
    if (vendorId() != vendorId) {
      return Optional.empty();
    }
    int i = 4;
    while (i + 2 <= value.length) {
      int t = value[i] & 0xff;
      int len = value[i + 1] & 0xff;
      if (len < 2 || i + len > value.length) {
        return Optional.empty();
      }
      if (t == vendorType) {
        return Optional.of(Arrays.copyOfRange(value, i + 2, i + len));
      }
      i += len;
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    // values may be secrets (User-Password, MPPE keys): name the type and size only
    return "RadiusAttribute[" + type + ", " + value.length + " octets]";
  }
}
