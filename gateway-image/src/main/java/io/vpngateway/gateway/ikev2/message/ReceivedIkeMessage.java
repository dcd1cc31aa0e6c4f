package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.UnsupportedCriticalPayloadException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A datagram decoded as far as can be done without keys (RFC 7296 §3.1-§3.2): its header, the
 * unencrypted payloads, and where the SK/SKF payload lies ({@code encrypted}, null for an
 * IKE_SA_INIT message). The bytes are kept because integrity covers the whole message and the AUTH
 * computation signs the IKE_SA_INIT messages as they were on the wire (§2.15).
 *
 * @param bytes the message exactly as received (the non-ESP marker of port 4500 removed)
 * @param header the IKE header
 * @param payloads the payloads before the encrypted one, or all of them when there is none
 * @param encrypted the SK or SKF payload, or null
 */
public record ReceivedIkeMessage(
    byte[] bytes, IkeHeader header, List<IkePayload> payloads, EncryptedPayload encrypted) {

  public ReceivedIkeMessage {
    payloads = List.copyOf(payloads);
  }

  /**
   * Decodes a whole IKE message. The header's length must equal the datagram's (§3.1); the major
   * version is not checked here (§2.5 asks for an answer, which is the session layer's job).
   */
  public static ReceivedIkeMessage decode(byte[] message)
      throws InvalidSyntaxException, UnsupportedCriticalPayloadException {
    ByteBuffer in = ByteBuffer.wrap(message);
    IkeHeader header = IkeHeader.decode(in);
    if (header.length() != message.length) {
      throw new InvalidSyntaxException(
          "IKE header says " + header.length() + " octets, datagram has " + message.length);
    }
    if (header.majorVersion() != 2) {
      return new ReceivedIkeMessage(message, header, List.of(), null);
    }
    IkePayloadCodec.Chain chain = IkePayloadCodec.decode(header.nextPayload(), in, true);
    return new ReceivedIkeMessage(message, header, chain.payloads(), chain.encrypted());
  }

  /** The cleartext view (for IKE_SA_INIT). */
  public IkeMessage clear() {
    return new IkeMessage(header, payloads);
  }
}
