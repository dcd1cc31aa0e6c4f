package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Delete payload, RFC 7296 §3.11: {@code Protocol ID | SPI Size | Num of SPIs (2) | SPIs}. For the
 * IKE SA the SPI size and count are zero (the SA is the one the message travels in); for ESP each
 * SPI is 4 octets, the SPI the sender of the Delete receives on.
 */
public record DeletePayload(int protocolId, List<Integer> spis) implements IkePayload {
  public DeletePayload {
    spis = List.copyOf(spis);
  }

  /** Deletes the IKE SA this message belongs to (and with it all its child SAs). */
  public static DeletePayload ikeSa() {
    return new DeletePayload(Proposal.IKE, List.of());
  }

  public static DeletePayload esp(List<Integer> inboundSpis) {
    return new DeletePayload(Proposal.ESP, inboundSpis);
  }

  @Override
  public int type() {
    return PayloadType.DELETE;
  }

  @Override
  public int bodyLength() {
    return 4 + (protocolId == Proposal.IKE ? 0 : 4 * spis.size());
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    boolean ike = protocolId == Proposal.IKE;
    out.put((byte) protocolId).put((byte) (ike ? 0 : 4));
    out.putShort((short) (ike ? 0 : spis.size()));
    if (!ike) {
      spis.forEach(out::putInt);
    }
  }

  static DeletePayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 4) {
      throw new InvalidSyntaxException("Delete payload too short");
    }
    int protocol = in.get() & 0xff;
    int spiSize = in.get() & 0xff;
    int count = in.getShort() & 0xffff;
    if (protocol == Proposal.IKE) {
      if (spiSize != 0 && spiSize != 8) {
        throw new InvalidSyntaxException("Delete of the IKE SA with SPI size " + spiSize);
      }
      in.position(in.limit());
      return ikeSa();
    }
    if (spiSize != 4 || in.remaining() != 4L * count) {
      throw new InvalidSyntaxException("Delete payload SPI size/count do not match its length");
    }
    List<Integer> spis = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      spis.add(in.getInt());
    }
    return new DeletePayload(protocol, spis);
  }
}
