package io.vpngateway.gateway.sstp.ppp.crypto;

import java.util.Arrays;

/**
 * The server's MPPE master keys from PPP authentication (RFC 3079 section 3 for MS-CHAPv2; the
 * MSK halves for EAP, RFC 5216 section 2.3), in the server's directions: {@code send} is the
 * server-to-client key. SSTP never encrypts with them; it only binds the tunnel to them.
 */
public final class MppeKeys {
  private final byte[] send;
  private final byte[] receive;

  public MppeKeys(byte[] send, byte[] receive) {
    this.send = send.clone();
    this.receive = receive.clone();
  }

  public byte[] send() {
    return send.clone();
  }

  public byte[] receive() {
    return receive.clone();
  }

  /** Overwrites both keys. */
  public void wipe() {
    Arrays.fill(send, (byte) 0);
    Arrays.fill(receive, (byte) 0);
  }

  @Override
  public String toString() {
    return "MppeKeys[" + send.length + "+" + receive.length + " octets, redacted]";
  }
}
