package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.ConnectionSlot;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One IKEv2 client as the data plane and the management API see it: its identity, inner address
 * and the CHILD_SA currently used for sending. The IKE SA behind it may be rekeyed (a new IKE SA
 * takes the session over, RFC 7296 §2.18) and so may the CHILD_SA (§2.8); the session, its id and
 * its address stay.
 *
 * <p>Packets from TUN are sealed with {@link #outbound} on the calling data-plane thread;
 * packets from the client are opened on the UDP receive thread ({@link #receiveEsp}). IKE state
 * changes happen on the control thread, which {@link #close} hands the request to.
 */
public final class Ikev2Session implements TunnelSession {
  private static final ThreadLocal<ByteBuffer[]> SEAL_BUFFERS =
      ThreadLocal.withInitial(
          () -> new ByteBuffer[] {ByteBuffer.allocate(65536 + 64), ByteBuffer.allocate(65536 + 128)});

  /** TUN takes direct buffers; the crypto works on heap ones (see OpenVpnClientSession). */
  private static final ThreadLocal<ByteBuffer> TUN_OUTPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(65536));

  private final String id;
  private final ClientIdentity identity;
  private final AddressLease lease;
  private final ConnectionSlot slot;
  private final Instant since = Instant.now();
  private final IkeTransport transport;
  private final BiConsumer<Ikev2Session, String> closer;
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile InnerPacketSink sink;
  private volatile ChildSa outbound;
  private volatile IkeTransport.Peer peer;
  volatile long lastInboundNanos = System.nanoTime();
  /** The IKE SA currently in charge (control thread writes, anyone reads). */
  volatile IkeSa ikeSa;

  Ikev2Session(
      String id,
      ClientIdentity identity,
      AddressLease lease,
      ConnectionSlot slot,
      InetSocketAddress peer,
      IkeTransport transport,
      BiConsumer<Ikev2Session, String> closer) {
    this.id = id;
    this.identity = identity;
    this.lease = lease;
    this.slot = slot;
    this.peer = transport.peer(peer);
    this.transport = transport;
    this.closer = closer;
  }

  void attachSink(InnerPacketSink sink) {
    this.sink = sink;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.IKEv2;
  }

  @Override
  public ClientIdentity identity() {
    return identity;
  }

  @Override
  public Inet4Address innerAddress() {
    return lease.address();
  }

  AddressLease lease() {
    return lease;
  }

  /** Gives the connection back to the gateway-wide budget (idempotent). */
  void releaseSlot() {
    slot.release();
  }

  @Override
  public InetSocketAddress outerAddress() {
    return peer.address();
  }

  void updatePeer(InetSocketAddress address) {
    peer = transport.peer(address);
  }

  @Override
  public Instant since() {
    return since;
  }

  @Override
  public String cipher() {
    ChildSa c = outbound;
    return c == null ? "none" : c.suite().toString();
  }

  @Override
  public long bytesIn() {
    return bytesIn.sum();
  }

  @Override
  public long bytesOut() {
    return bytesOut.sum();
  }

  ChildSa outbound() {
    return outbound;
  }

  void useForSending(ChildSa child) {
    outbound = child;
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Marks the session closed; true for the one caller that did it. */
  boolean markClosed() {
    outbound = null;
    return closed.compareAndSet(false, true);
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {
    ChildSa child = outbound;
    if (child == null) {
      return;
    }
    ByteBuffer[] buffers = SEAL_BUFFERS.get();
    ByteBuffer out = buffers[1];
    int length = ipPacket.remaining();
    try {
      if (!child.encryptor().seal(ipPacket, out, buffers[0])) {
        return; // sequence space exhausted: the rekey timer replaces the SA
      }
    } catch (GeneralSecurityException e) {
      return;
    }
    transport.sendEsp(out, peer);
    bytesOut.add(length);
    child.bytesOut.add(length);
  }

  /**
   * Opens one ESP packet for {@code child} (position at the SPI) into {@code plain} and hands the
   * inner packet to the data plane.
   *
   * @throws MessageIntegrityException when the packet does not authenticate or is a replay
   */
  void receiveEsp(ChildSa child, ByteBuffer packet, ByteBuffer plain)
      throws MessageIntegrityException {
    child.decryptor().open(packet, plain);
    lastInboundNanos = System.nanoTime();
    if (child.promoteOnTraffic && outbound != child && !child.rekeyed) {
      // the peer sends on the SA it rekeyed to: it is installed on its side, so send on it too
      child.promoteOnTraffic = false;
      outbound = child;
    }
    int n = plain.remaining();
    if (n == 0) {
      return; // a dummy packet (next header 59)
    }
    bytesIn.add(n);
    child.bytesIn.add(n);
    InnerPacketSink s = sink;
    if (s == null) {
      return;
    }
    if (plain.isDirect()) {
      s.write(plain);
    } else {
      ByteBuffer tun = TUN_OUTPUT.get();
      tun.clear();
      tun.put(plain).flip();
      s.write(tun);
    }
  }

  @Override
  public void close(String reason) {
    closer.accept(this, reason);
  }

  @Override
  public String toString() {
    return "IKEv2 session " + id + " of " + identity.name();
  }
}
