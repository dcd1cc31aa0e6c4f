package io.vpngateway.gateway.ikev2.message;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An IKE message as its header and the cleartext list of its payloads (RFC 7296 §3): for an
 * IKE_SA_INIT message the payloads on the wire, for the other exchanges the payloads inside the SK
 * payload once decrypted. Immutable; {@link #encode()} writes an unencrypted message (IKE_SA_INIT
 * and its error answers), the crypto layer writes protected ones.
 */
public record IkeMessage(IkeHeader header, List<IkePayload> payloads) {
  public IkeMessage {
    payloads = List.copyOf(payloads);
  }

  /** The unprotected message: the header (next payload and length filled in) and the chain. */
  public byte[] encode() {
    int length = IkeHeader.LENGTH + IkePayloadCodec.encodedLength(payloads);
    ByteBuffer out = ByteBuffer.allocate(length);
    header.withNextPayload(IkePayloadCodec.firstType(payloads)).withLength(length).encode(out);
    IkePayloadCodec.encode(payloads, out);
    return out.array();
  }

  /** The first payload of a class, if any. */
  public <T extends IkePayload> Optional<T> first(Class<T> type) {
    for (IkePayload p : payloads) {
      if (type.isInstance(p)) {
        return Optional.of(type.cast(p));
      }
    }
    return Optional.empty();
  }

  /** Every payload of a class, in order. */
  public <T extends IkePayload> List<T> all(Class<T> type) {
    List<T> list = new ArrayList<>();
    for (IkePayload p : payloads) {
      if (type.isInstance(p)) {
        list.add(type.cast(p));
      }
    }
    return list;
  }

  /** The first Notify of a type, if any. */
  public Optional<NotifyPayload> notify(int notifyType) {
    for (IkePayload p : payloads) {
      if (p instanceof NotifyPayload n && n.notifyType() == notifyType) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** All Notify payloads of a type. */
  public List<NotifyPayload> notifies(int notifyType) {
    List<NotifyPayload> list = new ArrayList<>();
    for (IkePayload p : payloads) {
      if (p instanceof NotifyPayload n && n.notifyType() == notifyType) {
        list.add(n);
      }
    }
    return list;
  }

  /** The first error Notify, if any. */
  public Optional<NotifyPayload> firstError() {
    for (IkePayload p : payloads) {
      if (p instanceof NotifyPayload n && n.isError()) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** The ID payload from the initiator (IDi) or the responder (IDr). */
  public Optional<IdPayload> id(boolean initiator) {
    return all(IdPayload.class).stream().filter(i -> i.initiator() == initiator).findFirst();
  }

  /** TSi or TSr. */
  public Optional<TsPayload> ts(boolean initiator) {
    return all(TsPayload.class).stream().filter(t -> t.initiator() == initiator).findFirst();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(header.toString()).append(" [");
    for (int i = 0; i < payloads.size(); i++) {
      IkePayload p = payloads.get(i);
      s.append(i == 0 ? "" : " ")
          .append(p instanceof NotifyPayload n ? n.toString() : PayloadType.name(p.type()));
    }
    return s.append(']').toString();
  }
}
