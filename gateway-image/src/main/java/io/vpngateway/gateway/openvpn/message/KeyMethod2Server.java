package io.vpngateway.gateway.openvpn.message;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The server's key-method-2 reply: {@code uint32 0 | uint8 2 | random1(32) | random2(32) | string
 * options | empty username | empty password | empty peer-info}. The server sends no pre-master
 * (openvpn {@code ssl.c: key_source2_read}, only the client's carries one).
 */
public record KeyMethod2Server(byte[] random1, byte[] random2, String options) {
  public KeyMethod2Server {
    random1 = random1.clone();
    random2 = random2.clone();
  }

  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(5 + 64 + 2 + options.length() * 4 + 1 + 6);
    out.putInt(0).put((byte) 2).put(random1).put(random2);
    KeyMethod2Client.writeString(out, options);
    KeyMethod2Client.writeString(out, "");
    KeyMethod2Client.writeString(out, "");
    KeyMethod2Client.writeString(out, "");
    return Arrays.copyOf(out.array(), out.position());
  }

  @Override
  public byte[] random1() {
    return random1.clone();
  }

  @Override
  public byte[] random2() {
    return random2.clone();
  }
}
