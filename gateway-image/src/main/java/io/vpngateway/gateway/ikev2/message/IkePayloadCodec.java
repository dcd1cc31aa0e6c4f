package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.UnsupportedCriticalPayloadException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes chains of payloads, RFC 7296 §3.2. Every payload starts with the generic
 * header:
 *
 * <pre>
 *  Next Payload (1) | C (1 bit) + RESERVED (7 bits) | Payload Length (2, header included)
 * </pre>
 *
 * A payload of an unknown type is skipped unless its critical bit is set, which fails the whole
 * message with UNSUPPORTED_CRITICAL_PAYLOAD (§2.5). An SK or SKF payload must be the last one
 * (§3.14); its body is not parsed here but located ({@link EncryptedPayload}) for the crypto layer.
 * Any length that does not add up fails closed with {@link InvalidSyntaxException}.
 */
public final class IkePayloadCodec {
  private IkePayloadCodec() {}

  /** The payloads of a chain, and the encrypted payload that ended it, if any (else null). */
  public record Chain(List<IkePayload> payloads, EncryptedPayload encrypted) {
    public Chain {
      payloads = List.copyOf(payloads);
    }
  }

  /** Upper bound on payloads per message; a longer chain is an attack, not a client. */
  static final int MAX_PAYLOADS = 256;

  /**
   * Decodes the chain starting with a payload of type {@code firstType} at the buffer's position
   * up to its limit, which must be where the last payload ends.
   *
   * @param allowEncrypted whether SK/SKF may end the chain (true for a whole message, false
   *     inside a decrypted SK payload)
   */
  public static Chain decode(int firstType, ByteBuffer in, boolean allowEncrypted)
      throws InvalidSyntaxException, UnsupportedCriticalPayloadException {
    List<IkePayload> payloads = new ArrayList<>();
    int type = firstType;
    while (type != PayloadType.NONE) {
      if (payloads.size() >= MAX_PAYLOADS) {
        throw new InvalidSyntaxException("more than " + MAX_PAYLOADS + " payloads");
      }
      if (in.remaining() < 4) {
        throw new InvalidSyntaxException(
            "payload " + PayloadType.name(type) + " truncated: " + in.remaining() + " octets left");
      }
      int start = in.position();
      int next = in.get() & 0xff;
      boolean critical = (in.get() & 0x80) != 0;
      int length = in.getShort() & 0xffff;
      if (length < 4 || length > in.remaining() + 4) {
        throw new InvalidSyntaxException(
            "payload " + PayloadType.name(type) + " length " + length + " out of range");
      }
      int end = start + length;
      if (type == PayloadType.SK || type == PayloadType.SKF) {
        if (!allowEncrypted) {
          throw new InvalidSyntaxException("encrypted payload inside an encrypted payload");
        }
        if (end != in.limit()) {
          throw new InvalidSyntaxException("encrypted payload is not the last payload");
        }
        EncryptedPayload sk = encrypted(type, next, in, end);
        in.position(end);
        return new Chain(payloads, sk);
      }
      ByteBuffer body = in.duplicate();
      body.limit(end);
      payloads.add(decodeBody(type, critical, body));
      if (body.hasRemaining()) {
        throw new InvalidSyntaxException("payload " + PayloadType.name(type) + " has trailing data");
      }
      in.position(end);
      type = next;
    }
    if (in.hasRemaining()) {
      throw new InvalidSyntaxException(in.remaining() + " octets after the last payload");
    }
    return new Chain(payloads, null);
  }

  private static EncryptedPayload encrypted(int type, int next, ByteBuffer in, int end)
      throws InvalidSyntaxException {
    int at = in.position();
    if (type == PayloadType.SK) {
      return new EncryptedPayload(type, next, 1, 1, at, end - at);
    }
    if (end - at < 4) {
      throw new InvalidSyntaxException("SKF payload too short");
    }
    int number = in.getShort(at) & 0xffff;
    int total = in.getShort(at + 2) & 0xffff;
    if (number == 0 || total == 0 || number > total) {
      throw new InvalidSyntaxException("SKF fragment " + number + " of " + total);
    }
    return new EncryptedPayload(type, next, number, total, at + 4, end - at - 4);
  }

  private static IkePayload decodeBody(int type, boolean critical, ByteBuffer body)
      throws InvalidSyntaxException, UnsupportedCriticalPayloadException {
    return switch (type) {
      case PayloadType.SA -> SaPayload.decode(body);
      case PayloadType.KE -> KePayload.decode(body);
      case PayloadType.IDI -> IdPayload.decode(true, body);
      case PayloadType.IDR -> IdPayload.decode(false, body);
      case PayloadType.CERT -> CertPayload.decode(body);
      case PayloadType.CERTREQ -> CertRequestPayload.decode(body);
      case PayloadType.AUTH -> AuthPayload.decode(body);
      case PayloadType.NONCE -> NoncePayload.decode(body);
      case PayloadType.NOTIFY -> NotifyPayload.decode(body);
      case PayloadType.DELETE -> DeletePayload.decode(body);
      case PayloadType.VENDOR_ID -> VendorIdPayload.decode(body);
      case PayloadType.TSI -> TsPayload.decode(true, body);
      case PayloadType.TSR -> TsPayload.decode(false, body);
      case PayloadType.CP -> ConfigPayload.decode(body);
      case PayloadType.EAP -> EapPayload.decode(body);
      default -> {
        if (critical) {
          throw new UnsupportedCriticalPayloadException(type);
        }
        byte[] raw = new byte[body.remaining()];
        body.get(raw);
        yield new UnknownPayload(type, false, raw);
      }
    };
  }

  /** Octets the chain takes, generic headers included. */
  public static int encodedLength(List<IkePayload> payloads) {
    int n = 0;
    for (IkePayload p : payloads) {
      n += 4 + p.bodyLength();
    }
    return n;
  }

  /** The type of the first payload, or {@link PayloadType#NONE} for an empty chain. */
  public static int firstType(List<IkePayload> payloads) {
    return payloads.isEmpty() ? PayloadType.NONE : payloads.get(0).type();
  }

  /** Writes the chain; the last payload's Next Payload is 0. */
  public static void encode(List<IkePayload> payloads, ByteBuffer out) {
    for (int i = 0; i < payloads.size(); i++) {
      IkePayload p = payloads.get(i);
      int next = i + 1 < payloads.size() ? payloads.get(i + 1).type() : PayloadType.NONE;
      int length = 4 + p.bodyLength();
      if (length > 0xffff) {
        throw new IllegalArgumentException("payload " + PayloadType.name(p.type()) + " too long");
      }
      out.put((byte) next).put((byte) (p.critical() ? 0x80 : 0)).putShort((short) length);
      int bodyStart = out.position();
      p.encodeBody(out);
      if (out.position() - bodyStart != p.bodyLength()) {
        throw new IllegalStateException(
            "payload " + PayloadType.name(p.type()) + " wrote another length than it declared");
      }
    }
  }

  /** The chain as bytes. */
  public static byte[] encode(List<IkePayload> payloads) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(payloads));
    encode(payloads, out);
    return out.array();
  }
}
