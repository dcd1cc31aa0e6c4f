package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.metrics.RateLimitedLog;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.openvpn.crypto.DataChannelEncryptor;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.transport.OpenVpnLink;
import io.vpngateway.gateway.session.InnerPacketSink;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The data channel of one OpenVPN session (P_DATA_V1/V2, openvpn {@code crypto.c}): the data keys
 * by key id, the key packets are sent with, the switch to a renegotiated key, and the packets
 * themselves: decrypt and hand to the TUN sink, encrypt and send to the client.
 *
 * <pre>
 *   install(k) ──▶ decrypts with k at once
 *   pend(k)    ──▶ promote(k) when the client used k or acknowledged our key-method reply
 *                  ──▶ sends with k; the old key keeps decrypting for the transition window
 *   retireExpired(now) ──▶ drops the old key once its window passed
 * </pre>
 *
 * <p>Threads: {@link #onDataPacket} runs on the thread that received the packet, {@link
 * #deliverFromTun} on a data-plane worker; they only read the published keys ({@link #dataKeys},
 * the volatile {@link #sendKey}). Installing, pending and retiring keys happen on the control
 * thread. A failure here costs one packet, never the thread: it is counted and logged
 * rate-limited.
 */
final class SessionDataChannel {
  private static final Logger LOG = Logger.getLogger(SessionDataChannel.class.getName());
  private static final RateLimitedLog FAILURES = new RateLimitedLog(LOG, 5, 60, TimeUnit.SECONDS);
  static final long TRANSITION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  /*
   * Crypto runs on heap (array-backed) buffers: the JDK's AEAD ciphers then work on the arrays in
   * place, while a direct buffer makes them copy through temporary arrays (JMH: 1.1 KB instead of
   * 2.5-2.9 KB allocated per 1400-byte packet). The copies to and from TUN's direct buffers are
   * plain memcpy; sockets copy heap buffers through their own cached direct buffers.
   */
  private static final ThreadLocal<ByteBuffer> SEAL_INPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(65536));
  private static final ThreadLocal<ByteBuffer> SEAL_OUTPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(65536 + 64));
  private static final ThreadLocal<ByteBuffer> TUN_OUTPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(65536));

  /** What the data channel tells its session. */
  interface Events {
    /** UDP: the client now sends from another address (float); the link already points there. */
    void floated(InetSocketAddress oldRemote);

    /** The client sent OCC EXIT (explicit-exit-notify without cc-exit). Any thread. */
    void exitRequested();

    /** Runs {@code task} on the control thread (key retirement after a switch). */
    void onControlThread(Runnable task);
  }

  private final String sessionId;
  private final OpenVpnLink link;
  private final int peerId;
  private final OpenVpnServerStats stats;
  private final Events events;
  private final AtomicReferenceArray<DataChannelKey> dataKeys = new AtomicReferenceArray<>(8);
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();

  /**
   * Wire bytes of keepalive pings, both ways (also in {@link #bytesIn}/{@link #bytesOut}): the
   * control thread tells traffic from a quiet session's pings by it.
   */
  private final LongAdder keepaliveBytes = new LongAdder();

  private volatile boolean open = true;
  private volatile DataChannelKey sendKey;
  private volatile int pendingKeyId = -1;
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile long lastSentNanos = System.nanoTime();
  /** When the client's last keepalive ping came (a day back until the first). */
  private volatile long lastPingReceivedNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
  /** Our keepalive rides a client's ping once ours is this old; 0: never (see keepaliveRide). */
  private volatile long rideAfterNanos;
  /** Set with the address lease, before any data key exists; checks the source is the lease. */
  private volatile InnerPacketSink innerSink;
  /** Control thread only. */
  private DataChannelKey retiringKey;

  private long retireAtNanos;

  SessionDataChannel(
      String sessionId, OpenVpnLink link, int peerId, OpenVpnServerStats stats, Events events) {
    this.sessionId = sessionId;
    this.link = link;
    this.peerId = peerId;
    this.stats = stats;
    this.events = events;
  }

  /** Where decrypted packets go: the TUN sink of the client's inner address. */
  void sinkTo(InnerPacketSink sink) {
    this.innerSink = sink;
  }

  /** Makes {@code key} decrypt packets of its key id. Control thread. */
  void install(DataChannelKey key) {
    dataKeys.set(key.keyId(), key);
  }

  /** The first key: installed and used for sending at once. Control thread. */
  void startWith(DataChannelKey key) {
    install(key);
    sendKey = key;
  }

  /** A renegotiated key, sent with once {@link #promote} is called for it. Control thread. */
  void pend(int keyId) {
    pendingKeyId = keyId;
  }

  int pendingKeyId() {
    return pendingKeyId;
  }

  DataChannelKey sendKey() {
    return sendKey;
  }

  /** Switches sending to the pending key; the old one keeps decrypting for a while. */
  synchronized void promote(int keyId) {
    if (pendingKeyId != keyId) {
      return;
    }
    DataChannelKey next = dataKeys.get(keyId);
    DataChannelKey old = sendKey;
    if (next == null) {
      return;
    }
    sendKey = next;
    pendingKeyId = -1;
    if (old != null && old != next) {
      events.onControlThread(
          () -> {
            if (retiringKey != null && dataKeys.get(retiringKey.keyId()) == retiringKey) {
              dataKeys.set(retiringKey.keyId(), null);
            }
            retiringKey = old;
            retireAtNanos = System.nanoTime() + TRANSITION_WINDOW_NANOS;
          });
    }
  }

  /** Whether an old key waits for its transition window to pass. Control thread. */
  boolean retiring() {
    return retiringKey != null;
  }

  /**
   * Drops the old key once its transition window passed. Control thread. Returns the key id it
   * dropped (its key state can go too), or -1.
   */
  int retireExpired(long now) {
    if (retiringKey == null || now - retireAtNanos <= 0) {
      return -1;
    }
    int retired = -1;
    if (dataKeys.get(retiringKey.keyId()) == retiringKey) {
      dataKeys.set(retiringKey.keyId(), null);
      retired = retiringKey.keyId();
    }
    retiringKey = null;
    return retired;
  }

  /**
   * Decrypts a data packet (position 0 to limit; needs 16 spare bytes of capacity) into {@code
   * plain} and writes the inner packet to TUN, or to another client when client-to-client is on.
   */
  void onDataPacket(ByteBuffer packet, InetSocketAddress from, ByteBuffer plain) {
    int first = packet.get(0) & 0xff;
    int keyId = first & 7;
    DataChannelKey k = dataKeys.get(keyId);
    if (k == null || !open) {
      stats.unknownSessionDropped.increment();
      return;
    }
    int headerLength = (first >>> 3) == OpenVpnOpcode.P_DATA_V2.code() ? 4 : 1;
    if (headerLength == 4 && (packet.getInt(0) & 0xffffff) != peerId) {
      stats.unknownSessionDropped.increment();
      return;
    }
    int length = packet.remaining();
    try {
      k.decryptor().open(packet, headerLength, plain);
    } catch (PacketAuthenticationException e) {
      stats.rejected(e);
      return;
    }
    lastReceivedNanos = System.nanoTime();
    bytesIn.add(length);
    k.addBytes(length);
    if (from != null && !link.isStream() && !from.equals(link.remote())) {
      InetSocketAddress old = link.remote();
      link.updateRemote(from);
      events.floated(old);
    }
    if (keyId == pendingKeyId) {
      promote(keyId);
    }
    if (DataChannelMagic.isPing(plain)) {
      keepaliveBytes.add(length);
      long now = lastReceivedNanos;
      lastPingReceivedNanos = now;
      long ride = rideAfterNanos;
      if (ride > 0 && now - lastSentNanos >= ride) {
        sendPing();
      }
      return;
    }
    deliverInner(plain);
  }

  private void deliverInner(ByteBuffer plain) {
    if (DataChannelMagic.isOccExit(plain)) {
      events.exitRequested();
      return;
    }
    // the session's sink checks the packet (IPv4, header and length, source address) and sends
    // client-to-client traffic to the other session when allowed
    InnerPacketSink sink = innerSink;
    if (plain.isDirect()) {
      sink.write(plain);
    } else {
      ByteBuffer tun = TUN_OUTPUT.get();
      tun.clear();
      tun.put(plain).flip();
      sink.write(tun);
    }
  }

  /**
   * Encrypts one IP packet read from TUN (position to limit) and sends it to the client; returns
   * the bytes sent (0 when nothing was).
   */
  int deliverFromTun(ByteBuffer ipPacket) {
    DataChannelKey k = sendKey;
    if (k == null || !open) {
      return 0;
    }
    ByteBuffer in = ipPacket;
    if (!ipPacket.hasArray()) {
      in = SEAL_INPUT.get();
      in.clear();
      in.put(ipPacket).flip();
    }
    ByteBuffer out = SEAL_OUTPUT.get();
    try {
      k.encryptor().seal(in, out);
    } catch (GeneralSecurityException | RuntimeException e) {
      // a JCE failure (or a packet id past its limit) costs this packet, not the worker
      stats.sealFailed.increment();
      FAILURES.log(
          Level.WARNING,
          "seal",
          sessionId + ": cannot encrypt a packet for the client (key id " + k.keyId() + ")",
          e);
      return 0;
    }
    int n = out.remaining();
    link.send(out);
    bytesOut.add(n);
    k.addBytes(n);
    lastSentNanos = System.nanoTime();
    return n;
  }

  /**
   * Sends our keepalive ping with the answer to a client's ping when ours is at least {@code
   * afterNanos} old (0: never): the thread the client's ping woke sends it, so an idle session
   * wakes the server once per keepalive interval instead of twice (on this VM every separate
   * wake-up of a large process can cost milliseconds of CPU: BENCHMARKS.md, idle CPU). The
   * control thread's own keepalive stays as the fallback for a client whose pings stop.
   */
  void keepaliveRide(long afterNanos) {
    rideAfterNanos = afterNanos;
  }

  /** When the client's last keepalive ping arrived ({@link System#nanoTime}). */
  long lastPingReceivedNanos() {
    return lastPingReceivedNanos;
  }

  void sendPing() {
    keepaliveBytes.add(deliverFromTun(ByteBuffer.wrap(DataChannelMagic.PING)));
  }

  /** Any packet from the client (data or control) counts as a sign of life. */
  void touchReceived() {
    lastReceivedNanos = System.nanoTime();
  }

  long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  long lastSentNanos() {
    return lastSentNanos;
  }

  /** Whether the renegotiation by packet count is due for the sending key. */
  boolean packetLimitNear() {
    DataChannelKey k = sendKey;
    return k != null && k.encryptor().packetsSent() > DataChannelEncryptor.PACKET_ID_SOFT_LIMIT;
  }

  /** Stops both directions and forgets every key. Control thread, at session end. */
  void close() {
    open = false;
    for (int i = 0; i < 8; i++) {
      dataKeys.set(i, null);
    }
    sendKey = null;
  }

  long bytesIn() {
    return bytesIn.sum();
  }

  long bytesOut() {
    return bytesOut.sum();
  }

  /** Wire bytes of the keepalive pings received and sent, part of both counts above. */
  long keepaliveBytes() {
    return keepaliveBytes.sum();
  }
}
