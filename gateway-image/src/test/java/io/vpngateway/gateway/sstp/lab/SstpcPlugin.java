package io.vpngateway.gateway.sstp.lab;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Plays sstp-pppd-plugin's part for a host-only sstpc: the plugin tells sstpc the MPPE keys at
 * pppd's ip-up over a unix socket (sstp-client's libsstp-api message: magic "sstp", length, type
 * AUTH, attributes MPPE send/recv key, host byte order, 4-octet aligned), and sstpc then sends
 * Call Connected with the Compound MAC computed from them.
 */
public final class SstpcPlugin {
  private static final int MAGIC = 0x73737470;
  private static final int MSG_AUTH = 1;
  private static final int ATTR_MPPE_SEND = 1;
  private static final int ATTR_MPPE_RECV = 2;

  private SstpcPlugin() {}

  /** Sends the AUTH message with the client's keys and waits for sstpc's ACK. */
  public static void sendKeys(Path socket, byte[] sendKey, byte[] receiveKey) throws IOException {
    ByteBuffer m = ByteBuffer.allocate(8 + 2 * (4 + 16)).order(ByteOrder.nativeOrder());
    m.putInt(MAGIC).putShort((short) (2 * (4 + 16))).putShort((short) MSG_AUTH);
    m.putShort((short) ATTR_MPPE_SEND).putShort((short) 16).put(sendKey);
    m.putShort((short) ATTR_MPPE_RECV).putShort((short) 16).put(receiveKey);
    m.flip();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      while (m.hasRemaining()) {
        ch.write(m);
      }
      ByteBuffer ack = ByteBuffer.allocate(8);
      while (ack.hasRemaining() && ch.read(ack) >= 0) {
        // sstpc answers with an 8-octet ACK header
      }
    }
  }
}
