package io.vpngateway.gateway.sstp.ppp.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * MPPE master keys from an MS-CHAPv2 exchange (RFC 3079 section 3.4, 128-bit keys), the keys SSTP
 * binds the tunnel to (MS-SSTP section 3.2.5.2.2: the HLAK is built from MasterSendKey and
 * MasterReceiveKey). Test vectors of RFC 3079 section 3.5.3 are in {@code MppeKeyDerivationTest}.
 */
public final class MppeKeyDerivation {
  private static final byte[] MASTER_MAGIC =
      "This is the MPPE Master Key".getBytes(StandardCharsets.US_ASCII);
  /** Magic2 of RFC 3079 section 3.4. */
  private static final byte[] CLIENT_SEND_MAGIC =
      "On the client side, this is the send key; on the server side, it is the receive key."
          .getBytes(StandardCharsets.US_ASCII);
  /** Magic3 of RFC 3079 section 3.4. */
  private static final byte[] CLIENT_RECEIVE_MAGIC =
      "On the client side, this is the receive key; on the server side, it is the send key."
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHS_PAD1 = new byte[40];
  private static final byte[] SHS_PAD2 = new byte[40];

  static {
    Arrays.fill(SHS_PAD2, (byte) 0xf2);
  }

  private MppeKeyDerivation() {}

  /** GetMasterKey: 16 octets from HashNtPasswordHash(password hash) and the NT-Response. */
  public static byte[] masterKey(byte[] passwordHashHash, byte[] ntResponse) {
    MessageDigest sha1 = MsChapV2.sha1();
    sha1.update(passwordHashHash);
    sha1.update(ntResponse);
    sha1.update(MASTER_MAGIC);
    return Arrays.copyOf(sha1.digest(), 16);
  }

  /**
   * GetAsymmetricStartKey: the 16-octet MasterSendKey ({@code send}) or MasterReceiveKey of the
   * server ({@code server}) or the client. The client's send key is the server's receive key.
   */
  public static byte[] asymmetricStartKey(byte[] masterKey, boolean send, boolean server) {
    byte[] magic = send == server ? CLIENT_RECEIVE_MAGIC : CLIENT_SEND_MAGIC;
    MessageDigest sha1 = MsChapV2.sha1();
    sha1.update(masterKey);
    sha1.update(SHS_PAD1);
    sha1.update(magic);
    sha1.update(SHS_PAD2);
    return Arrays.copyOf(sha1.digest(), 16);
  }

  /**
   * The server's keys of a successful MS-CHAPv2 exchange, as a RADIUS server would return them in
   * MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 section 2.4).
   */
  public static MppeKeys serverKeys(byte[] passwordHash, byte[] ntResponse) {
    byte[] hashHash = MsChapV2.hashNtPasswordHash(passwordHash);
    byte[] master = masterKey(hashHash, ntResponse);
    try {
      return new MppeKeys(
          asymmetricStartKey(master, true, true), asymmetricStartKey(master, false, true));
    } finally {
      Arrays.fill(hashHash, (byte) 0);
      Arrays.fill(master, (byte) 0);
    }
  }
}
