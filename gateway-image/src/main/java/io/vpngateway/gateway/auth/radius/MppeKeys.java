package io.vpngateway.gateway.auth.radius;

import java.util.Arrays;

/**
 * The keys an Access-Accept hands the gateway (RFC 2548 MS-MPPE-Send-Key / MS-MPPE-Recv-Key),
 * decrypted with the shared secret. Send and receive are the gateway's (NAS's) directions.
 *
 * <p>For EAP the 64-octet MSK is {@code recv ‖ send} (RFC 3748 section 7.10 / RFC 5216 section 2.3
 * as FreeRADIUS and hostapd lay it out: MS-MPPE-Recv-Key is the first 32 octets, MS-MPPE-Send-Key
 * the next 32); for MS-CHAPv2 without EAP each key is the 16-octet MPPE start key of RFC 3079.
 */
public final class MppeKeys {
  private final byte[] sendKey;
  private final byte[] receiveKey;

  public MppeKeys(byte[] sendKey, byte[] receiveKey) {
    this.sendKey = sendKey.clone();
    this.receiveKey = receiveKey.clone();
  }

  /** MS-MPPE-Send-Key: what the gateway encrypts with towards the client. */
  public byte[] sendKey() {
    return sendKey.clone();
  }

  /** MS-MPPE-Recv-Key: what the gateway decrypts the client's traffic with. */
  public byte[] receiveKey() {
    return receiveKey.clone();
  }

  /** The EAP MSK: receive key then send key, each padded or cut to 32 octets (64 in all). */
  public byte[] msk() {
    byte[] msk = new byte[64];
    System.arraycopy(receiveKey, 0, msk, 0, Math.min(32, receiveKey.length));
    System.arraycopy(sendKey, 0, msk, 32, Math.min(32, sendKey.length));
    return msk;
  }

  /** Overwrites both keys (call when the session that used them ends). */
  public void wipe() {
    Arrays.fill(sendKey, (byte) 0);
    Arrays.fill(receiveKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "MppeKeys[send " + sendKey.length + " octets, receive " + receiveKey.length
        + " octets, redacted]";
  }
}
