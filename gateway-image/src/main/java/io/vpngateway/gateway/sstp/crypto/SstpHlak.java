package io.vpngateway.gateway.sstp.crypto;

import io.vpngateway.gateway.sstp.ppp.crypto.MppeKeys;
import java.util.Arrays;

/**
 * The server's Higher-Layer Authentication Key (MS-SSTP section 3.2.5.2.2): 32 octets from the
 * keys PPP authentication produced, the key the crypto binding is checked with.
 *
 * <ul>
 *   <li>MS-CHAPv2: MasterReceiveKey | MasterSendKey of the server (16 + 16; the client builds the
 *       same octets as its MasterSendKey | MasterReceiveKey).
 *   <li>EAP methods: the server's MS-MPPE-Recv-Key (the first 32 octets of the MSK, RFC 5216
 *       section 2.3), i.e. the client's MasterSendKey.
 *   <li>No keys (PAP, or authentication bypassed): 32 zero octets.
 * </ul>
 */
public final class SstpHlak {
  public static final int LENGTH = 32;

  private SstpHlak() {}

  public static byte[] fromMsChapV2(MppeKeys serverKeys) {
    byte[] receive = serverKeys.receive();
    byte[] send = serverKeys.send();
    byte[] hlak = new byte[LENGTH];
    System.arraycopy(receive, 0, hlak, 0, Math.min(16, receive.length));
    System.arraycopy(send, 0, hlak, 16, Math.min(16, send.length));
    Arrays.fill(receive, (byte) 0);
    Arrays.fill(send, (byte) 0);
    return hlak;
  }

  /** @param msk the EAP Master Session Key (64 octets) */
  public static byte[] fromEapMsk(byte[] msk) {
    return Arrays.copyOf(msk, LENGTH);
  }

  public static byte[] none() {
    return new byte[LENGTH];
  }
}
