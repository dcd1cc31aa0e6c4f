package io.vpngateway.gateway.ikev2.message;

import java.nio.ByteBuffer;

/**
 * One IKEv2 payload without its generic header (RFC 7296 §3.2): the chain codec ({@link
 * IkePayloadCodec}) writes and reads the next-payload, critical and length fields around {@link
 * #encodeBody}. Implementations are immutable values.
 */
public sealed interface IkePayload
    permits SaPayload,
        KePayload,
        NoncePayload,
        NotifyPayload,
        IdPayload,
        CertPayload,
        CertRequestPayload,
        AuthPayload,
        TsPayload,
        ConfigPayload,
        DeletePayload,
        VendorIdPayload,
        EapPayload,
        UnknownPayload {

  /** The payload type, {@link PayloadType}. */
  int type();

  /** Length of the body in octets (generic header excluded). */
  int bodyLength();

  /** Writes the body at the buffer's position. */
  void encodeBody(ByteBuffer out);

  /** The critical bit; we set it on no payload we send (RFC 7296 §3.2: only for unknown types). */
  default boolean critical() {
    return false;
  }
}
