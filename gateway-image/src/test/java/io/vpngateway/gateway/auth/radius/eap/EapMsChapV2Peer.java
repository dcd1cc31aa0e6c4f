package io.vpngateway.gateway.auth.radius.eap;

import io.vpngateway.gateway.auth.radius.crypto.MsChapV2;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An EAP-MSCHAPv2 peer (draft-kamath-pppext-eap-mschapv2 section 2) for relay tests: answers the
 * server's Challenge with an NT-Response, checks the server's Success message, and derives the
 * MPPE keys of RFC 3079 from its side of the exchange.
 */
public final class EapMsChapV2Peer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String user;
  private final String password;
  private byte[] ntResponse;
  private byte[] peerChallenge;
  private byte[] authChallenge;
  boolean serverProven;

  public EapMsChapV2Peer(String user, String password) {
    this.user = user;
    this.password = password;
  }

  public byte[] respond(byte[] request) {
    if (EapPacket.type(request).orElse(-1) != EapPacket.TYPE_MSCHAPV2) {
      throw new AssertionError("expected EAP-MSCHAPv2, got type " + EapPacket.type(request));
    }
    int id = EapPacket.identifier(request);
    int opCode = request[5] & 0xff;
    if (opCode == 1) {
      int msId = request[6] & 0xff;
      authChallenge = Arrays.copyOfRange(request, 10, 26);
      peerChallenge = new byte[16];
      RANDOM.nextBytes(peerChallenge);
      ntResponse = MsChapV2.ntResponse(authChallenge, peerChallenge, user, password);
      byte[] name = user.getBytes(StandardCharsets.UTF_8);
      int msLength = 4 + 1 + 49 + name.length;
      ByteBuffer b = ByteBuffer.allocate(5 + msLength);
      b.put((byte) EapPacket.RESPONSE).put((byte) id).putShort((short) (5 + msLength))
          .put((byte) EapPacket.TYPE_MSCHAPV2).put((byte) 2).put((byte) msId)
          .putShort((short) msLength).put((byte) 49).put(peerChallenge).put(new byte[8])
          .put(ntResponse).put((byte) 0).put(name);
      return b.array();
    }
    if (opCode == 3) {
      String message = new String(request, 9, request.length - 9, StandardCharsets.US_ASCII);
      String expected =
          MsChapV2.authenticatorResponse(password, ntResponse, peerChallenge, authChallenge, user);
      serverProven = MsChapV2.authenticatorResponseMatches(expected, message);
      return new byte[] {EapPacket.RESPONSE, (byte) id, 0, 6, EapPacket.TYPE_MSCHAPV2, 3};
    }
    return new byte[] {EapPacket.RESPONSE, (byte) id, 0, 6, EapPacket.TYPE_MSCHAPV2, 4};
  }

  /** The client's send key, which is the server's (and so the gateway's) receive key. */
  byte[] clientSendKey() {
    return MsChapV2.asymmetricStartKey(MsChapV2.masterKey(password, ntResponse), true, false);
  }

  byte[] clientReceiveKey() {
    return MsChapV2.asymmetricStartKey(MsChapV2.masterKey(password, ntResponse), false, false);
  }
}
