package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * Notify payload, RFC 7296 §3.10: {@code Protocol ID | SPI Size | Notify Message Type (2) | SPI |
 * Notification Data}.
 *
 * @param protocolId 0 when no SA is concerned, else {@link Proposal#IKE}/{@link Proposal#ESP}
 * @param spi the SPI of the concerned SA (empty for none)
 * @param notifyType {@link NotifyType}
 * @param data notification data
 */
public record NotifyPayload(int protocolId, byte[] spi, int notifyType, byte[] data)
    implements IkePayload {
  public NotifyPayload {
    spi = spi.clone();
    data = data.clone();
  }

  /** A notification about no particular SA. */
  public static NotifyPayload of(int notifyType, byte[] data) {
    return new NotifyPayload(0, new byte[0], notifyType, data);
  }

  public static NotifyPayload of(int notifyType) {
    return of(notifyType, new byte[0]);
  }

  @Override
  public byte[] spi() {
    return spi.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public boolean isError() {
    return NotifyType.isError(notifyType);
  }

  @Override
  public int type() {
    return PayloadType.NOTIFY;
  }

  @Override
  public int bodyLength() {
    return 4 + spi.length + data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) protocolId).put((byte) spi.length).putShort((short) notifyType);
    out.put(spi).put(data);
  }

  static NotifyPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 4) {
      throw new InvalidSyntaxException("Notify payload too short");
    }
    int protocol = in.get() & 0xff;
    int spiSize = in.get() & 0xff;
    int type = in.getShort() & 0xffff;
    if (spiSize > in.remaining()) {
      throw new InvalidSyntaxException("Notify SPI overruns the payload");
    }
    byte[] spi = new byte[spiSize];
    in.get(spi);
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new NotifyPayload(protocol, spi, type, data);
  }

  @Override
  public String toString() {
    return "N(" + NotifyType.name(notifyType) + ")";
  }
}
