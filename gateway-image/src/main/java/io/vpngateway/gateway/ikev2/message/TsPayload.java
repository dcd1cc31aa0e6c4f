package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Traffic Selector payload TSi or TSr, RFC 7296 §3.13: {@code Number of TSs | RESERVED (3) |
 * selectors}, each selector {@code TS Type | IP Protocol ID | Selector Length (2) | Start Port (2)
 * | End Port (2) | Starting Address | Ending Address}.
 */
public record TsPayload(boolean initiator, List<TrafficSelector> selectors) implements IkePayload {
  public TsPayload {
    selectors = List.copyOf(selectors);
  }

  @Override
  public int type() {
    return initiator ? PayloadType.TSI : PayloadType.TSR;
  }

  @Override
  public int bodyLength() {
    int n = 4;
    for (TrafficSelector ts : selectors) {
      n += 8 + 2 * ts.startAddress().length;
    }
    return n;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) selectors.size()).put((byte) 0).putShort((short) 0);
    for (TrafficSelector ts : selectors) {
      byte[] start = ts.startAddress();
      out.put((byte) ts.tsType()).put((byte) ts.ipProtocol());
      out.putShort((short) (8 + 2 * start.length));
      out.putShort((short) ts.startPort()).putShort((short) ts.endPort());
      out.put(start).put(ts.endAddress());
    }
  }

  static TsPayload decode(boolean initiator, ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 4) {
      throw new InvalidSyntaxException("TS payload too short");
    }
    int count = in.get() & 0xff;
    in.get();
    in.getShort();
    if (count == 0) {
      throw new InvalidSyntaxException("TS payload without selectors");
    }
    List<TrafficSelector> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 8) {
        throw new InvalidSyntaxException("truncated traffic selector");
      }
      int type = in.get() & 0xff;
      int protocol = in.get() & 0xff;
      int length = in.getShort() & 0xffff;
      int addressLength =
          switch (type) {
            case TrafficSelector.TS_IPV4_ADDR_RANGE -> 4;
            case TrafficSelector.TS_IPV6_ADDR_RANGE -> 16;
            default -> throw new InvalidSyntaxException("unknown traffic selector type " + type);
          };
      if (length != 8 + 2 * addressLength || in.remaining() < length - 4) {
        throw new InvalidSyntaxException("bad traffic selector length " + length);
      }
      int startPort = in.getShort() & 0xffff;
      int endPort = in.getShort() & 0xffff;
      byte[] start = new byte[addressLength];
      byte[] end = new byte[addressLength];
      in.get(start).get(end);
      list.add(new TrafficSelector(type, protocol, startPort, endPort, start, end));
    }
    if (in.hasRemaining()) {
      throw new InvalidSyntaxException("data after the last traffic selector");
    }
    return new TsPayload(initiator, list);
  }
}
