package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReliableLayerTest {
  private static OpenVpnControlPacket msg(long id) {
    return new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_V1, 0, 1L, new long[0], 0, id,
        new byte[] {(byte) id});
  }

  @Test
  void deliversInOrderAfterBufferingAGap() {
    ReliableLayer r = new ReliableLayer();
    assertEquals(1, r.receive(msg(0)).size());
    assertEquals(0, r.receive(msg(2)).size());
    List<OpenVpnControlPacket> both = r.receive(msg(1));
    assertEquals(2, both.size());
    assertEquals(1, both.get(0).messageId());
    assertEquals(2, both.get(1).messageId());
    assertEquals(0, r.receive(msg(1)).size(), "duplicate delivered again");
    List<OpenVpnControlPacket> acks = r.poll(0, 0, 2L, 1L);
    assertEquals(1, acks.size());
    assertEquals(OpenVpnOpcode.P_ACK_V1, acks.get(0).opcode());
    assertArrayEquals(new long[] {0, 2, 1, 1}, acks.get(0).acks());
  }

  @Test
  void dropsBeyondWindowWithoutAck() {
    ReliableLayer r = new ReliableLayer();
    assertEquals(0, r.receive(msg(ReliableLayer.RECEIVE_WINDOW)).size());
    assertTrue(r.poll(0, 0, 2L, 1L).isEmpty());
  }

  @Test
  void sendWindowRetransmitsWithBackOffUntilAcked() {
    ReliableLayer r = new ReliableLayer();
    for (int i = 0; i < 8; i++) {
      r.enqueue(OpenVpnOpcode.P_CONTROL_V1, new byte[] {(byte) i});
    }
    long t = 1_000_000_000L;
    assertEquals(ReliableLayer.SEND_WINDOW, r.poll(t, 0, 2L, 1L).size());
    assertEquals(0, r.poll(t + 500_000_000L, 0, 2L, 1L).size(), "nothing due before timeout");
    assertEquals(ReliableLayer.SEND_WINDOW, r.poll(t + 1_000_000_000L, 0, 2L, 1L).size());
    assertEquals(0, r.poll(t + 2_500_000_000L, 0, 2L, 1L).size(), "timeout doubled to 2 s");
    OpenVpnControlPacket ack = OpenVpnControlPacket.ack(0, 1L, new long[] {0, 1}, 2L);
    r.receive(ack);
    List<OpenVpnControlPacket> next = r.poll(t + 3_000_000_000L, 0, 2L, 1L);
    assertTrue(next.stream().anyMatch(p -> p.messageId() == 6), "window slid after acks");
    assertTrue(next.stream().noneMatch(p -> p.messageId() == 0), "acked message not resent");
  }
}
