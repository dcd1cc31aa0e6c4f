package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Security Association payload, RFC 7296 §3.3: a list of proposals, each with its transforms.
 *
 * <pre>
 * Proposal:  Last(0)/More(2) | RESERVED | Proposal Length (2)
 *            Proposal Num | Protocol ID | SPI Size | Num Transforms | SPI ... | Transforms ...
 * Transform: Last(0)/More(3) | RESERVED | Transform Length (2)
 *            Transform Type | RESERVED | Transform ID (2) | Attributes ...
 * Attribute: AF(1 bit)+Type(15) | Value (2) if AF, else Length (2) + Value
 * </pre>
 */
public record SaPayload(List<Proposal> proposals) implements IkePayload {
  public SaPayload {
    proposals = List.copyOf(proposals);
  }

  @Override
  public int type() {
    return PayloadType.SA;
  }

  @Override
  public int bodyLength() {
    int n = 0;
    for (Proposal p : proposals) {
      n += p.bodyLength();
    }
    return n;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    for (int i = 0; i < proposals.size(); i++) {
      Proposal p = proposals.get(i);
      out.put((byte) (i == proposals.size() - 1 ? 0 : 2)).put((byte) 0);
      out.putShort((short) p.bodyLength());
      out.put((byte) p.number()).put((byte) p.protocolId()).put((byte) p.spi().length);
      out.put((byte) p.transforms().size());
      out.put(p.spi());
      List<Transform> ts = p.transforms();
      for (int j = 0; j < ts.size(); j++) {
        Transform t = ts.get(j);
        out.put((byte) (j == ts.size() - 1 ? 0 : 3)).put((byte) 0);
        out.putShort((short) t.bodyLength());
        out.put((byte) t.type()).put((byte) 0).putShort((short) t.id());
        if (t.keyLength() != Transform.NO_KEY_LENGTH) {
          out.putShort((short) (0x8000 | Transform.ATTRIBUTE_KEY_LENGTH));
          out.putShort((short) t.keyLength());
        }
      }
    }
  }

  /** Decodes the body (position to limit of {@code in}). */
  static SaPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    List<Proposal> proposals = new ArrayList<>();
    boolean last = false;
    while (!last) {
      if (in.remaining() < 8) {
        throw new InvalidSyntaxException("truncated proposal");
      }
      int start = in.position();
      int lastOrMore = in.get() & 0xff;
      in.get();
      int length = in.getShort() & 0xffff;
      if (lastOrMore != 0 && lastOrMore != 2) {
        throw new InvalidSyntaxException("bad proposal Last/More value " + lastOrMore);
      }
      last = lastOrMore == 0;
      if (length < 8 || length > in.remaining() + 4) {
        throw new InvalidSyntaxException("bad proposal length " + length);
      }
      int end = start + length;
      int number = in.get() & 0xff;
      int protocol = in.get() & 0xff;
      int spiSize = in.get() & 0xff;
      int count = in.get() & 0xff;
      if (8 + spiSize > length) {
        throw new InvalidSyntaxException("proposal SPI overruns the proposal");
      }
      byte[] spi = new byte[spiSize];
      in.get(spi);
      List<Transform> transforms = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        transforms.add(decodeTransform(in, end, i == count - 1));
      }
      if (in.position() != end) {
        throw new InvalidSyntaxException("proposal length does not match its transforms");
      }
      proposals.add(new Proposal(number, protocol, spi, transforms));
    }
    if (in.hasRemaining()) {
      throw new InvalidSyntaxException("data after the last proposal");
    }
    return new SaPayload(proposals);
  }

  private static Transform decodeTransform(ByteBuffer in, int proposalEnd, boolean expectLast)
      throws InvalidSyntaxException {
    if (proposalEnd - in.position() < 8) {
      throw new InvalidSyntaxException("truncated transform");
    }
    int start = in.position();
    int lastOrMore = in.get() & 0xff;
    in.get();
    int length = in.getShort() & 0xffff;
    if ((expectLast ? 0 : 3) != lastOrMore) {
      throw new InvalidSyntaxException("transform Last/More does not match Num Transforms");
    }
    if (length < 8 || start + length > proposalEnd) {
      throw new InvalidSyntaxException("bad transform length " + length);
    }
    int end = start + length;
    int type = in.get() & 0xff;
    in.get();
    int id = in.getShort() & 0xffff;
    int keyLength = Transform.NO_KEY_LENGTH;
    boolean unknown = false;
    while (in.position() < end) {
      if (end - in.position() < 4) {
        throw new InvalidSyntaxException("truncated transform attribute");
      }
      int typeField = in.getShort() & 0xffff;
      boolean tv = (typeField & 0x8000) != 0;
      int attributeType = typeField & 0x7fff;
      int value = in.getShort() & 0xffff;
      if (!tv) {
        if (end - in.position() < value) {
          throw new InvalidSyntaxException("transform attribute overruns the transform");
        }
        in.position(in.position() + value);
        unknown = true;
      } else if (attributeType == Transform.ATTRIBUTE_KEY_LENGTH && keyLength == -1) {
        keyLength = value;
      } else {
        unknown = true;
      }
    }
    return new Transform(type, id, keyLength, unknown);
  }
}
