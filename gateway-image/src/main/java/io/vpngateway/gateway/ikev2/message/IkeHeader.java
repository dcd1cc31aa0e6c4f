package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * The fixed 28-octet IKE header, RFC 7296 §3.1:
 *
 * <pre>
 *  IKE SA Initiator's SPI (8) | IKE SA Responder's SPI (8)
 *  Next Payload (1) | MjVer|MnVer (1) | Exchange Type (1) | Flags (1)
 *  Message ID (4) | Length (4)
 * </pre>
 *
 * Flags: bit 3 (0x08) Initiator, bit 4 (0x10) Version, bit 5 (0x20) Response. The message ID is an
 * unsigned 32-bit counter, kept here in an {@code int}: compare with {@link
 * Integer#compareUnsigned}.
 *
 * @param initiatorSpi SPIi, never zero
 * @param responderSpi SPIr, zero in the first IKE_SA_INIT request
 * @param nextPayload type of the first payload
 * @param version major version in the high nibble (2), minor in the low one
 * @param exchangeType {@link ExchangeType}
 * @param flags the flags octet
 * @param messageId the message ID
 * @param length length of the whole message in octets, header included
 */
public record IkeHeader(
    long initiatorSpi,
    long responderSpi,
    int nextPayload,
    int version,
    int exchangeType,
    int flags,
    int messageId,
    int length) {

  public static final int LENGTH = 28;
  public static final int VERSION_2 = 0x20;
  public static final int FLAG_INITIATOR = 0x08;
  public static final int FLAG_VERSION = 0x10;
  public static final int FLAG_RESPONSE = 0x20;

  /**
   * Reads a header at the buffer's position (advancing it by 28) and checks what can be checked
   * without the rest of the message: the length covers at least the header, and SPIi is not zero.
   * The major version is left to the caller, which must answer INVALID_MAJOR_VERSION (§2.5).
   */
  public static IkeHeader decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < LENGTH) {
      throw new InvalidSyntaxException("message shorter than the IKE header: " + in.remaining());
    }
    long spiI = in.getLong();
    long spiR = in.getLong();
    int next = in.get() & 0xff;
    int version = in.get() & 0xff;
    int exchange = in.get() & 0xff;
    int flags = in.get() & 0xff;
    int messageId = in.getInt();
    long length = in.getInt() & 0xffffffffL;
    if (length < LENGTH || length > 0xffff) {
      throw new InvalidSyntaxException("IKE header length out of range: " + length);
    }
    if (spiI == 0) {
      throw new InvalidSyntaxException("initiator SPI is zero");
    }
    return new IkeHeader(spiI, spiR, next, version, exchange, flags, messageId, (int) length);
  }

  /** A header for a message we send, with {@code length} still to be set. */
  public static IkeHeader of(
      long spiI, long spiR, int nextPayload, int exchangeType, boolean weAreOriginalInitiator,
      boolean response, int messageId) {
    int flags = (weAreOriginalInitiator ? FLAG_INITIATOR : 0) | (response ? FLAG_RESPONSE : 0);
    return new IkeHeader(spiI, spiR, nextPayload, VERSION_2, exchangeType, flags, messageId, 0);
  }

  public void encode(ByteBuffer out) {
    out.putLong(initiatorSpi)
        .putLong(responderSpi)
        .put((byte) nextPayload)
        .put((byte) version)
        .put((byte) exchangeType)
        .put((byte) flags)
        .putInt(messageId)
        .putInt(length);
  }

  public int majorVersion() {
    return version >>> 4;
  }

  public boolean isResponse() {
    return (flags & FLAG_RESPONSE) != 0;
  }

  /** Set by the original initiator of the IKE SA (the client, for us) on all its messages. */
  public boolean fromOriginalInitiator() {
    return (flags & FLAG_INITIATOR) != 0;
  }

  public IkeHeader withLength(int newLength) {
    return new IkeHeader(
        initiatorSpi, responderSpi, nextPayload, version, exchangeType, flags, messageId,
        newLength);
  }

  public IkeHeader withNextPayload(int next) {
    return new IkeHeader(
        initiatorSpi, responderSpi, next, version, exchangeType, flags, messageId, length);
  }

  @Override
  public String toString() {
    return ExchangeType.name(exchangeType)
        + (isResponse() ? " response" : " request")
        + " "
        + Long.toHexString(initiatorSpi)
        + "_i "
        + Long.toHexString(responderSpi)
        + "_r"
        + " mid="
        + Integer.toUnsignedString(messageId)
        + " len="
        + length;
  }
}
