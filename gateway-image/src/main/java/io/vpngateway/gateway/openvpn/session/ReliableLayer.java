package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenVPN's reliability layer for one key state (openvpn {@code reliable.c}; MirageVPN write-up
 * "Reliable transport"): every control message but P_ACK_V1 carries a 32-bit message id, counted
 * from 0 (the reset) per key state and direction. The receiver acks each id, buffers out-of-order
 * messages inside its window and hands them on in order; the sender keeps a bounded window of
 * unacknowledged messages and retransmits them with exponential back-off.
 *
 * <pre>
 *   enqueue ──▶ queued ──(window has room)──▶ in flight ──(ack)──▶ done
 *                                                │  ▲
 *                                      timeout   └──┘ retransmit, timeout doubles (max 8 s)
 * </pre>
 *
 * Not thread-safe: owned by the session's control thread.
 */
final class ReliableLayer {
  /** Our send window; the openvpn peer receives up to 12 (TLS_RELIABLE_N_REC_BUFFERS). */
  static final int SEND_WINDOW = 6;
  /** How far ahead of the next expected id we buffer (openvpn sends at most 6 ahead). */
  static final int RECEIVE_WINDOW = 12;
  /** Acks piggy-backed per packet (openvpn's CONTROL_SEND_ACK_MAX). */
  static final int ACKS_PER_PACKET = 4;

  private static final long INITIAL_TIMEOUT_NANOS = 1_000_000_000L;
  private static final long MAX_TIMEOUT_NANOS = 8_000_000_000L;

  private long nextExpected;
  private final TreeMap<Long, OpenVpnControlPacket> outOfOrder = new TreeMap<>();
  private final ArrayDeque<Long> acksToSend = new ArrayDeque<>();

  private long nextMessageId;
  private final ArrayDeque<Outgoing> queued = new ArrayDeque<>();
  private final TreeMap<Long, Outgoing> inFlight = new TreeMap<>();

  private static final class Outgoing {
    final OpenVpnOpcode opcode;
    final byte[] payload;
    long id = -1;
    long dueNanos;
    long timeoutNanos = INITIAL_TIMEOUT_NANOS;
    int sends;

    Outgoing(OpenVpnOpcode opcode, byte[] payload) {
      this.opcode = opcode;
      this.payload = payload;
    }
  }

  /**
   * Takes in a received packet: applies its acks and, for a message, records it for acking and
   * returns the messages now deliverable in order (possibly none, possibly several).
   */
  List<OpenVpnControlPacket> receive(OpenVpnControlPacket p) {
    for (long ack : p.acks()) {
      inFlight.remove(ack);
    }
    if (!p.opcode().hasMessageId()) {
      return List.of();
    }
    long id = p.messageId();
    if (id < nextExpected) {
      acksToSend.add(id);  // our earlier ack was lost: ack again, deliver nothing
      return List.of();
    }
    if (id >= nextExpected + RECEIVE_WINDOW) {
      return List.of();  // beyond our window: no ack, the peer retransmits later
    }
    if (!acksToSend.contains(id)) {
      acksToSend.add(id);
    }
    outOfOrder.putIfAbsent(id, p);
    List<OpenVpnControlPacket> ready = new ArrayList<>();
    OpenVpnControlPacket next;
    while ((next = outOfOrder.remove(nextExpected)) != null) {
      ready.add(next);
      nextExpected++;
    }
    return ready;
  }

  /**
   * For a session created from a verified handshake cookie: both resets (message 0 each way) were
   * exchanged statelessly, so the streams continue at message 1.
   */
  void assumeResetsExchanged() {
    nextExpected = Math.max(nextExpected, 1);
    nextMessageId = Math.max(nextMessageId, 1);
  }

  void enqueue(OpenVpnOpcode opcode, byte[] payload) {
    queued.add(new Outgoing(opcode, payload));
  }

  /**
   * The packets to put on the wire now: newly admitted messages, due retransmissions and, if acks
   * are still owed, P_ACK_V1 packets.
   */
  List<OpenVpnControlPacket> poll(long now, int keyId, long sessionId, long remoteSessionId) {
    List<OpenVpnControlPacket> out = new ArrayList<>();
    while (!queued.isEmpty() && inFlight.size() < SEND_WINDOW) {
      Outgoing o = queued.poll();
      o.id = nextMessageId++;
      o.dueNanos = now;
      inFlight.put(o.id, o);
    }
    for (Map.Entry<Long, Outgoing> e : inFlight.entrySet()) {
      Outgoing o = e.getValue();
      if (now - o.dueNanos >= 0) {
        out.add(new OpenVpnControlPacket(o.opcode, keyId, sessionId, takeAcks(), remoteSessionId,
            o.id, o.payload));
        o.sends++;
        o.dueNanos = now + o.timeoutNanos;
        o.timeoutNanos = Math.min(o.timeoutNanos * 2, MAX_TIMEOUT_NANOS);
      }
    }
    while (!acksToSend.isEmpty()) {
      out.add(OpenVpnControlPacket.ack(keyId, sessionId, takeAcks(), remoteSessionId));
    }
    return out;
  }

  private long[] takeAcks() {
    int n = Math.min(ACKS_PER_PACKET, acksToSend.size());
    long[] acks = new long[n];
    for (int i = 0; i < n; i++) {
      acks[i] = acksToSend.poll();
    }
    return acks;
  }

  /** True when every message we sent has been acknowledged. */
  boolean allAcked() {
    return queued.isEmpty() && inFlight.isEmpty();
  }

  /**
   * True when our message 0 (a key state's reset) has gone out {@code sends} times, is still
   * unacknowledged and is due again: the client never answered.
   */
  boolean resetUnansweredAfter(int sends, long now) {
    Outgoing reset = inFlight.get(0L);
    return reset != null && reset.sends >= sends && now - reset.dueNanos >= 0;
  }

  long nextExpected() {
    return nextExpected;
  }
}
