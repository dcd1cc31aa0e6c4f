package io.vpngateway.gateway.auth.radius.message;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A RADIUS packet (RFC 2865 section 3): code, identifier, 16-octet authenticator and attributes.
 * Immutable and stateless; computing and checking authenticators is {@code RadiusCrypto}'s work.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      |  Identifier   |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Authenticator (16)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Attributes (type, length, value) ...
 * </pre>
 */
public final class RadiusPacket {
  public static final int HEADER_LENGTH = 20;
  /** RFC 2865 section 3: the maximum length is 4096. */
  public static final int MAX_LENGTH = 4096;

  private final RadiusCode code;
  private final int identifier;
  private final byte[] authenticator;
  private final List<RadiusAttribute> attributes;

  public RadiusPacket(
      RadiusCode code, int identifier, byte[] authenticator, List<RadiusAttribute> attributes) {
    if (identifier < 0 || identifier > 255) {
      throw new IllegalArgumentException("identifier out of range: " + identifier);
    }
    if (authenticator.length != 16) {
      throw new IllegalArgumentException("authenticator must be 16 octets");
    }
    this.code = code;
    this.identifier = identifier;
    this.authenticator = authenticator.clone();
    this.attributes = List.copyOf(attributes);
  }

  /**
   * Decodes {@code length} bytes of {@code data}. Octets past the Length field are padding and
   * ignored (section 3); a Length larger than what arrived, an attribute running past it, or an
   * attribute length below 2 is malformed.
   */
  public static RadiusPacket decode(byte[] data, int length) throws MalformedRadiusPacketException {
    if (length < HEADER_LENGTH) {
      throw new MalformedRadiusPacketException("shorter than the 20-octet header: " + length);
    }
    int declared = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
    if (declared < HEADER_LENGTH || declared > MAX_LENGTH) {
      throw new MalformedRadiusPacketException("Length field out of range: " + declared);
    }
    if (declared > length) {
      throw new MalformedRadiusPacketException(
          "Length field " + declared + " exceeds the " + length + " octets received");
    }
    RadiusCode code =
        RadiusCode.of(data[0] & 0xff)
            .orElseThrow(
                () -> new MalformedRadiusPacketException("unknown code " + (data[0] & 0xff)));
    List<RadiusAttribute> attributes = new ArrayList<>();
    int i = HEADER_LENGTH;
    while (i < declared) {
      if (i + 2 > declared) {
        throw new MalformedRadiusPacketException("truncated attribute header at octet " + i);
      }
      int type = data[i] & 0xff;
      int len = data[i + 1] & 0xff;
      if (type == 0 || len < 2 || i + len > declared) {
        throw new MalformedRadiusPacketException(
            "attribute " + type + " at octet " + i + " has invalid length " + len);
      }
      attributes.add(new RadiusAttribute(type, Arrays.copyOfRange(data, i + 2, i + len)));
      i += len;
    }
    return new RadiusPacket(
        code, data[1] & 0xff, Arrays.copyOfRange(data, 4, HEADER_LENGTH), attributes);
  }

  /** The wire form, with this packet's authenticator as it stands. */
  public byte[] encode() {
    int length = encodedLength();
    if (length > MAX_LENGTH) {
      throw new IllegalStateException("packet exceeds " + MAX_LENGTH + " octets: " + length);
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put((byte) code.value()).put((byte) identifier).putShort((short) length).put(authenticator);
    for (RadiusAttribute a : attributes) {
      b.put((byte) a.type()).put((byte) (a.length() + 2)).put(a.value());
    }
    return b.array();
  }

  public int encodedLength() {
    int length = HEADER_LENGTH;
    for (RadiusAttribute a : attributes) {
      length += 2 + a.length();
    }
    return length;
  }

  public RadiusCode code() {
    return code;
  }

  public int identifier() {
    return identifier;
  }

  public byte[] authenticator() {
    return authenticator.clone();
  }

  public List<RadiusAttribute> attributes() {
    return attributes;
  }

  /** Every attribute of {@code type}, in packet order (order matters for EAP-Message, Class). */
  public List<RadiusAttribute> attributes(int type) {
    return attributes.stream().filter(a -> a.type() == type).toList();
  }

  public Optional<RadiusAttribute> first(int type) {
    return attributes.stream().filter(a -> a.type() == type).findFirst();
  }

  /** The data of every Microsoft (or other vendor's) sub-attribute {@code vendorType}, in order. */
  public List<byte[]> vendorAttributes(int vendorId, int vendorType) {
    List<byte[]> out = new ArrayList<>();
    for (RadiusAttribute a : attributes(RadiusAttributeType.VENDOR_SPECIFIC)) {
      a.vendorPayload(vendorId, vendorType).ifPresent(out::add);
    }
    return out;
  }

  /** A copy with another authenticator (the request authenticator is set after encoding). */
  public RadiusPacket withAuthenticator(byte[] newAuthenticator) {
    return new RadiusPacket(code, identifier, newAuthenticator, attributes);
  }

  /** A copy with attributes replaced (used to fill in Message-Authenticator). */
  public RadiusPacket withAttributes(List<RadiusAttribute> newAttributes) {
    return new RadiusPacket(code, identifier, authenticator, newAttributes);
  }

  @Override
  public String toString() {
    return "RadiusPacket[" + code + ", id " + identifier + ", " + attributes.size() + " attributes]";
  }
}
