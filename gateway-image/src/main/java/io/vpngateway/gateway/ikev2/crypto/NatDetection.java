package io.vpngateway.gateway.ikev2.crypto;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.GeneralSecurityException;

/**
 * NAT detection hashes, RFC 7296 §2.23: {@code SHA-1(SPIi | SPIr | IP address | port)}, sent in
 * NAT_DETECTION_SOURCE_IP and NAT_DETECTION_DESTINATION_IP notifications. In IKE_SA_INIT the
 * request's SPIr is zero, and both sides hash with the SPIs of the request.
 */
public final class NatDetection {
  private NatDetection() {}

  public static byte[] hash(long spiI, long spiR, InetSocketAddress address) {
    byte[] ip = address.getAddress().getAddress();
    ByteBuffer b = ByteBuffer.allocate(16 + ip.length + 2);
    b.putLong(spiI).putLong(spiR).put(ip).putShort((short) address.getPort());
    try {
      return JcaInstances.digest("SHA-1").digest(b.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code hash} (from the peer) is the hash of {@code address}; constant time. */
  public static boolean matches(byte[] hash, long spiI, long spiR, InetSocketAddress address) {
    return MessageDigest.isEqual(hash, hash(spiI, spiR, address));
  }
}
