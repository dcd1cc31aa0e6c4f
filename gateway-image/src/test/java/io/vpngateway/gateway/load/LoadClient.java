package io.vpngateway.gateway.load;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2ClientKey;
import io.vpngateway.gateway.load.LoadStats.EndCause;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.TlsCrypt;
import io.vpngateway.gateway.openvpn.crypto.TlsKeyExporter;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.OpenVpnException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.session.ClientKeyState;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated OpenVPN 2.6 client (tls-crypt-v2, TLS with its own client certificate, key-method
 * 2, pushed options, P_DATA_V2 AEAD), driven by its {@link EventLoop}: it connects when the
 * generator wants it connected, keeps the session alive (keepalive pings, a trickle of ICMP echoes
 * through the tunnel), renegotiates on its own timer and on the server's, answers the server's
 * RESTART by reconnecting (openvpn's connect-retry: 1 s for five tries, then doubling), and says
 * EXIT when the generator ends it.
 *
 * <pre>
 *  IDLE ──connect──▶ CONNECTING ──PUSH_REPLY──▶ ESTABLISHED ──RESTART / ping-restart / EXIT──▶ IDLE
 *    ▲                   │ AUTH_FAILED / 60 s                                                  │
 *    └───────────────────┴──────────────────────── retry after the back-off ◀──────────────────┘
 * </pre>
 *
 * Everything runs on the loop's thread, except {@link #phase} and the counters read by the
 * generator.
 */
final class LoadClient {
  enum Phase {
    IDLE,
    CONNECTING,
    ESTABLISHED
  }

  private static final long RETRANSMIT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long PUSH_REQUEST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long RENEGOTIATION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final String OPTIONS =
      "V4,dev-type tun,link-mtu 1559,tun-mtu 1500,proto UDPv4,cipher AES-256-GCM,"
          + "auth [null-digest],keysize 256,key-method 2,tls-client";

  final int index;
  private final LoadGenerator generator;
  private final EventLoop loop;
  private final LoadStats stats;
  private final LoadConfig config;
  private final InetAddress source;
  private final boolean tcp;
  private final OpenVpnStaticKey clientKey;
  private final byte[] wrappedClientKey;

  /** Loop thread: the earliest pending timer entry (see {@link EventLoop#wakeAt}). */
  long scheduledAt = Long.MAX_VALUE;

  private volatile Phase phase = Phase.IDLE;
  private boolean wanted;
  private long reconnectAtNanos;
  private int retries;

  private Wire wire;
  private TlsCrypt crypt;
  private long localSessionId;
  private long remoteSessionId;
  private boolean remoteKnown;
  private final ClientKeyState[] keys = new ClientKeyState[8];
  private int currentKeyId;
  private final DataChannelKey[] dataKeys = new DataChannelKey[8];
  private DataChannelKey sendKey;
  private long connectStartedNanos;
  private long establishedNanos;
  private long lastReceivedNanos;
  private long lastSentNanos;
  private long nextEchoNanos;
  private long nextRenegotiationNanos;
  private long renegotiationStartedNanos;
  private boolean pushRequested;
  private long pingNanos = TimeUnit.SECONDS.toNanos(10);
  private long pingRestartNanos = TimeUnit.SECONDS.toNanos(60);
  private int peerId;
  private DataCipherSuite cipher;
  private boolean tlsEkm;
  private Inet4Address innerAddress;
  private Inet4Address innerGateway;
  private int echoSeq;
  private final ByteBuffer seal = ByteBuffer.allocate(256);

  /** When the last echo reply came back ({@link System#nanoTime}); read by the generator. */
  volatile long lastEchoReplyNanos;

  /** Connections that reached PUSH_REPLY. */
  volatile int establishedCount;

  LoadClient(int index, LoadGenerator generator, EventLoop loop, TlsCryptV2ClientKey key) {
    this.index = index;
    this.generator = generator;
    this.loop = loop;
    this.stats = generator.stats();
    this.config = generator.config();
    this.source = config.sourceOf(index);
    this.tcp = config.usesTcp(index);
    this.clientKey = mirrored(key.key());
    this.wrappedClientKey = key.wrappedKey();
  }

  Phase phase() {
    return phase;
  }

  /** Runs {@code task} on this client's loop. */
  void loopExecute(Runnable task) {
    loop.execute(task);
  }

  boolean isTcp() {
    return tcp;
  }

  /** Loop thread: whether the generator wants this client connected. */
  void want(boolean connected) {
    wanted = connected;
    if (connected && phase == Phase.IDLE) {
      loop.wakeAt(this, Math.max(System.nanoTime(), reconnectAtNanos));
    } else if (!connected && phase != Phase.IDLE) {
      end(EndCause.INTENTIONAL, true, 0);
    }
  }

  /** Loop thread: ends the connection on purpose (churn); it connects again after a pause. */
  void churn() {
    if (phase == Phase.ESTABLISHED) {
      end(EndCause.INTENTIONAL, true, config.churnPause.toNanos());
    }
  }

  // ------------------------------------------------------------------------------ connecting

  private void connect(long now) {
    if (!generator.mayConnect(now)) {
      loop.wakeAt(this, now + TimeUnit.MILLISECONDS.toNanos(20 + ThreadLocalRandom.current()
          .nextInt(80)));
      return;
    }
    stats.connectAttempts.increment();
    try {
      wire = tcp
          ? TcpWire.open(loop, this, source, config.tcpTarget, stats)
          : UdpWire.open(loop, this, source, config.udpTarget, stats);
      crypt = new TlsCrypt(clientKey);
      localSessionId = ThreadLocalRandom.current().nextLong();
      remoteKnown = false;
      currentKeyId = 0;
      keys[0] = new ClientKeyState(0, generator.credentials().newEngine(index),
          OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3)
          .withPassword(config.username, config.password);
    } catch (IOException | OpenVpnException e) {
      if (wire != null) {
        wire.close();
        wire = null;
      }
      phase = Phase.CONNECTING;
      end(EndCause.TRANSPORT, false, 0);
      return;
    }
    phase = Phase.CONNECTING;
    pushRequested = false;
    connectStartedNanos = now;
    lastReceivedNanos = now;
    lastSentNanos = now;
    flush(keys[0], now);
    loop.wakeAt(this, now + RETRANSMIT_CHECK_NANOS);
  }

  // ------------------------------------------------------------------------------ receiving

  /** Loop thread: one packet from the gateway (position to limit). */
  void onPacket(ByteBuffer packet) {
    if (phase == Phase.IDLE || packet.remaining() < 1) {
      return;
    }
    long now = System.nanoTime();
    int first = packet.get(packet.position()) & 0xff;
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(first);
    if (op == null) {
      stats.controlDropped.increment();
      return;
    }
    if (op == OpenVpnOpcode.P_DATA_V2) {
      onData(packet, OpenVpnOpcode.keyIdOf(first), now);
      return;
    }
    OpenVpnControlPacket p;
    try {
      p = crypt.unwrap(packet);
    } catch (PacketAuthenticationException | MalformedPacketException e) {
      stats.controlDropped.increment();
      return;
    }
    if (!remoteKnown && p.opcode() == OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2) {
      remoteSessionId = p.sessionId();
      remoteKnown = true;
    }
    if (!remoteKnown || p.sessionId() != remoteSessionId) {
      stats.controlDropped.increment();
      return;
    }
    lastReceivedNanos = now;
    int keyId = p.keyId();
    ClientKeyState ks = keys[keyId];
    if (p.opcode() == OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1 && phase == Phase.ESTABLISHED
        && (ks == null || keyId != currentKeyId)) {
      ks = startKeyState(keyId, now); // the server renegotiates
      if (ks == null) {
        return;
      }
    }
    if (ks == null) {
      stats.controlDropped.increment();
      return;
    }
    try {
      ks.receive(p, OPTIONS, peerInfo());
      if (ks.state() == ClientKeyState.State.ACTIVE) {
        onActive(ks, now);
      }
    } catch (OpenVpnException | RuntimeException e) {
      end(EndCause.ERROR, false, 0);
      return;
    }
    if (phase != Phase.IDLE) {
      flush(ks, now);
    }
  }

  private String peerInfo() {
    int proto = 2 | 4 | 16 | 32 | 64 | 128 | 256 | 512;
    if (TlsKeyExporter.available()) {
      proto |= 8; // IV_PROTO_TLS_KEY_EXPORT
    }
    return "IV_VER=2.6.14\nIV_PLAT=linux\nIV_PROTO=" + proto
        + "\nIV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\nIV_MTU=1600\n"
        + (tcp ? "IV_TCPNL=1\n" : "");
  }

  private void onActive(ClientKeyState ks, long now) throws OpenVpnException {
    if (phase == Phase.ESTABLISHED && dataKeys[ks.keyId()] == null
        && ks.keyId() == currentKeyId) {
      // a renegotiated key: send with it at once (the server switches when it sees it used)
      DataChannelKey k = ks.dataKey(cipher, peerId, tlsEkm, localSessionId, remoteSessionId);
      dataKeys[ks.keyId()] = k;
      sendKey = k;
      renegotiationStartedNanos = 0;
      stats.renegotiationsCompleted.increment();
      for (int i = 0; i < 8; i++) {
        if (i != ks.keyId() && keys[i] != null) {
          keys[i].close();
          keys[i] = null;
        }
      }
      sendPing(now); // the server promotes the key on its first use
    }
    for (String msg : ks.takeControlMessages()) {
      if (msg.startsWith("PUSH_REPLY")) {
        if (phase == Phase.CONNECTING) {
          established(ks, msg, now);
        }
      } else if (msg.startsWith("AUTH_FAILED")) {
        end(EndCause.AUTH_FAILED, false, 0);
        return;
      } else if (msg.startsWith("RESTART") || msg.startsWith("HALT")) {
        end(EndCause.SERVER_RESTART, false, 0);
        return;
      }
      if (phase == Phase.IDLE) {
        return;
      }
    }
    if (phase == Phase.CONNECTING && !pushRequested
        && now - connectStartedNanos > PUSH_REQUEST_AFTER_NANOS) {
      pushRequested = true;
      ks.sendControlMessage("PUSH_REQUEST");
    }
  }

  private void established(ClientKeyState ks, String pushReply, long now)
      throws OpenVpnException {
    for (String option : pushReply.split(",")) {
      String[] w = option.trim().split(" ");
      switch (w[0]) {
        case "peer-id" -> peerId = Integer.parseInt(w[1]);
        case "cipher" -> cipher = DataCipherSuite.byName(w[1]).orElseThrow();
        case "ifconfig" -> innerAddress = inet4(w[1]);
        case "route-gateway" -> innerGateway = inet4(w[1]);
        case "ping" -> pingNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(w[1]));
        case "ping-restart" -> pingRestartNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(w[1]));
        case "protocol-flags" -> tlsEkm = option.contains("tls-ekm");
        default -> { }
      }
    }
    if (cipher == null || innerAddress == null || innerGateway == null) {
      throw new OpenVpnException("PUSH_REPLY without cipher, ifconfig or route-gateway");
    }
    DataChannelKey k = ks.dataKey(cipher, peerId, tlsEkm, localSessionId, remoteSessionId);
    dataKeys[ks.keyId()] = k;
    sendKey = k;
    phase = Phase.ESTABLISHED;
    establishedNanos = now;
    establishedCount++;
    retries = 0;
    stats.established.increment();
    stats.connectTime(now - connectStartedNanos);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    nextEchoNanos = now + jitter(config.trickleInterval.toNanos(), r);
    nextRenegotiationNanos = now + jitter(config.renegotiateInterval.toNanos(), r);
    generator.onEstablished(this, now - connectStartedNanos);
    if (config.cycle) {
      end(EndCause.INTENTIONAL, true, 0);
    }
  }

  private void onData(ByteBuffer packet, int keyId, long now) {
    DataChannelKey k = dataKeys[keyId];
    if (k == null || phase != Phase.ESTABLISHED) {
      stats.dataDropped.increment();
      return;
    }
    ByteBuffer plain = loop.plain;
    try {
      k.decryptor().open(packet, 4, plain);
    } catch (PacketAuthenticationException e) {
      stats.dataDropped.increment();
      return;
    }
    lastReceivedNanos = now;
    if (EchoPackets.isReply(plain, index)) {
      lastEchoReplyNanos = now;
      stats.echoReceived.increment();
    }
  }

  // ------------------------------------------------------------------------------ timers

  /** Loop thread: retransmissions, keepalive, trickle, renegotiation, timeouts, reconnects. */
  void onTimer(long now) {
    switch (phase) {
      case IDLE -> {
        if (wanted) {
          if (now - reconnectAtNanos >= 0) {
            connect(now);
          } else {
            loop.wakeAt(this, reconnectAtNanos);
          }
        }
        return;
      }
      case CONNECTING -> {
        if (now - connectStartedNanos > config.handshakeTimeout.toNanos()) {
          if (stats.ended(EndCause.HANDSHAKE_TIMEOUT) < 3 && keys[currentKeyId] != null) {
            System.err.println("load client " + index + ": handshake timed out in "
                + keys[currentKeyId].describe() + ", remote known " + remoteKnown);
          }
          end(EndCause.HANDSHAKE_TIMEOUT, false, 0);
          return;
        }
        ClientKeyState ks = keys[currentKeyId];
        if (ks != null && ks.state() == ClientKeyState.State.ACTIVE) {
          try {
            onActive(ks, now);
          } catch (OpenVpnException e) {
            end(EndCause.ERROR, false, 0);
            return;
          }
        }
        flushAll(now);
        loop.wakeAt(this, now + RETRANSMIT_CHECK_NANOS);
      }
      case ESTABLISHED -> tickEstablished(now);
      default -> { }
    }
  }

  private void tickEstablished(long now) {
    if (now - lastReceivedNanos > pingRestartNanos) {
      end(EndCause.PING_TIMEOUT, false, 0);
      return;
    }
    if (renegotiationStartedNanos != 0
        && now - renegotiationStartedNanos > RENEGOTIATION_WINDOW_NANOS) {
      end(EndCause.HANDSHAKE_TIMEOUT, false, 0); // openvpn: TLS key negotiation failed
      return;
    }
    if (config.trickleInterval.toNanos() > 0 && now - nextEchoNanos >= 0) {
      sendEcho(now);
      nextEchoNanos = now + config.trickleInterval.toNanos();
    }
    if (now - lastSentNanos >= pingNanos) {
      sendPing(now);
    }
    if (config.renegotiateInterval.toNanos() > 0 && renegotiationStartedNanos == 0
        && now - nextRenegotiationNanos >= 0) {
      nextRenegotiationNanos = now + config.renegotiateInterval.toNanos();
      int next = currentKeyId + 1 > 7 ? 1 : currentKeyId + 1;
      startKeyState(next, now);
    }
    boolean unacked = flushAll(now);
    long next = Math.min(lastReceivedNanos + pingRestartNanos + 1, lastSentNanos + pingNanos);
    if (config.trickleInterval.toNanos() > 0) {
      next = Math.min(next, nextEchoNanos);
    }
    if (config.renegotiateInterval.toNanos() > 0 && renegotiationStartedNanos == 0) {
      next = Math.min(next, nextRenegotiationNanos);
    }
    if (unacked || renegotiationStartedNanos != 0) {
      next = Math.min(next, now + RETRANSMIT_CHECK_NANOS);
    }
    loop.wakeAt(this, Math.max(next, now + 1));
  }

  /** A new key state (renegotiation by either side); its soft reset is queued as message 0. */
  private ClientKeyState startKeyState(int keyId, long now) {
    try {
      if (keys[keyId] != null) {
        keys[keyId].close();
      }
      ClientKeyState ks = new ClientKeyState(keyId, generator.credentials().newEngine(index),
          OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1)
          .withPassword(config.username, config.password);
      keys[keyId] = ks;
      dataKeys[keyId] = null;
      currentKeyId = keyId;
      renegotiationStartedNanos = now;
      stats.renegotiationsStarted.increment();
      flush(ks, now);
      return ks;
    } catch (OpenVpnException e) {
      end(EndCause.ERROR, false, 0);
      return null;
    }
  }

  // ------------------------------------------------------------------------------ sending

  /** Sends what every key state has due; true when one still waits for acks. */
  private boolean flushAll(long now) {
    boolean unacked = false;
    for (ClientKeyState ks : keys) {
      if (ks != null && phase != Phase.IDLE) {
        flush(ks, now);
        unacked |= !ks.allAcked();
      }
    }
    return unacked;
  }

  private void flush(ClientKeyState ks, long now) {
    for (OpenVpnControlPacket p : ks.poll(now, localSessionId, remoteSessionId)) {
      byte[] w = crypt.wrap(p);
      if (p.opcode() == OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3) {
        ByteBuffer b = ByteBuffer.allocate(w.length + wrappedClientKey.length);
        wire.send(b.put(w).put(wrappedClientKey).flip());
      } else {
        wire.send(ByteBuffer.wrap(w));
      }
    }
  }

  private void sendPing(long now) {
    seal.clear();
    seal.put(PING).flip();
    if (sendData(seal, now)) {
      stats.pingsSent.increment();
    }
  }

  private void sendEcho(long now) {
    EchoPackets.request(seal, innerAddress, innerGateway, index, ++echoSeq);
    if (sendData(seal, now)) {
      stats.echoSent.increment();
    }
  }

  private boolean sendData(ByteBuffer plain, long now) {
    DataChannelKey k = sendKey;
    if (k == null) {
      return false;
    }
    ByteBuffer out = loop.sealed;
    try {
      k.encryptor().seal(plain, out);
    } catch (GeneralSecurityException e) {
      stats.sendErrors.increment();
      return false;
    }
    wire.send(out);
    lastSentNanos = now;
    return true;
  }

  // ------------------------------------------------------------------------------ ending

  /** Loop thread: the TCP connection went away. */
  void onWireClosed(String why) {
    if (phase != Phase.IDLE) {
      end(EndCause.TRANSPORT, false, 0);
    }
  }

  /**
   * Ends the current connection. {@code sayExit}: tell the server (control message EXIT, which
   * openvpn 2.6 sends with cc-exit). A client still wanted reconnects after {@code pauseNanos} for
   * an intentional end, else after openvpn's connect-retry back-off.
   */
  private void end(EndCause cause, boolean sayExit, long pauseNanos) {
    Phase was = phase;
    if (was == Phase.IDLE) {
      return;
    }
    long now = System.nanoTime();
    if (sayExit && was == Phase.ESTABLISHED) {
      ClientKeyState ks = keys[currentKeyId];
      if (ks != null && ks.state() == ClientKeyState.State.ACTIVE) {
        try {
          ks.sendControlMessage("EXIT");
          flush(ks, now);
        } catch (OpenVpnException | RuntimeException e) {
          // best effort, as openvpn's explicit-exit-notify
        }
      }
    }
    phase = Phase.IDLE;
    if (wire != null) {
      wire.close();
      wire = null;
    }
    for (int i = 0; i < 8; i++) {
      if (keys[i] != null) {
        keys[i].close();
        keys[i] = null;
      }
      dataKeys[i] = null;
    }
    sendKey = null;
    renegotiationStartedNanos = 0;
    stats.recordEnd(cause);
    generator.onEnded(this, cause, was == Phase.ESTABLISHED, now);
    if (cause == EndCause.INTENTIONAL) {
      reconnectAtNanos = now + pauseNanos;
    } else {
      // openvpn --connect-retry 1 300: 1 s for five tries, then doubling; plus jitter, as real
      // clients are never in step
      long base = retries < 5 ? 1 : Math.min(300, 1L << Math.min(9, retries - 4));
      retries++;
      reconnectAtNanos = now + TimeUnit.SECONDS.toNanos(base)
          + ThreadLocalRandom.current().nextLong(TimeUnit.SECONDS.toNanos(1));
    }
    if (wanted) {
      loop.wakeAt(this, reconnectAtNanos);
    }
  }

  // ------------------------------------------------------------------------------ helpers

  long establishedNanos() {
    return establishedNanos;
  }

  private static long jitter(long nanos, ThreadLocalRandom r) {
    return nanos <= 0 ? 0 : nanos / 2 + r.nextLong(nanos);
  }

  private static Inet4Address inet4(String s) throws OpenVpnException {
    try {
      return (Inet4Address) InetAddress.getByName(s);
    } catch (IOException | ClassCastException e) {
      throw new OpenVpnException("bad address in PUSH_REPLY: " + s);
    }
  }

  /** The client's view of a tls-crypt key: the server's two halves swapped. */
  private static OpenVpnStaticKey mirrored(OpenVpnStaticKey key) {
    byte[] k = key.bytes();
    byte[] m = new byte[k.length];
    System.arraycopy(k, 128, m, 0, 128);
    System.arraycopy(k, 0, m, 128, 128);
    try {
      return OpenVpnStaticKey.of(m);
    } catch (io.vpngateway.api.openvpn.OpenVpnKeyFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** openvpn's keepalive ping (ping.c). */
  private static final byte[] PING = {
    0x2a, 0x18, 0x7b, (byte) 0xf3, 0x64, 0x1e, (byte) 0xb4, (byte) 0xcb,
    0x07, (byte) 0xed, 0x2d, 0x0a, (byte) 0x98, 0x1f, (byte) 0xc7, 0x48
  };
}
