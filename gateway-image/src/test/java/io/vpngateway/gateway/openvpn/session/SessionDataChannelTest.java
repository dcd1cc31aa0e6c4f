package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKeyMaterial;
import io.vpngateway.gateway.openvpn.transport.OpenVpnLink;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The data channel alone: a client-side key (the mirrored key material) seals packets for it, and
 * what it sends to the client opens with that key. No socket, no TLS: a recording link.
 */
class SessionDataChannelTest {
  private static final int PEER_ID = 0x0a0b0c;
  private final OpenVpnServerStats stats = new OpenVpnServerStats();
  private final RecordingLink link = new RecordingLink(new InetSocketAddress("192.0.2.5", 40000));
  private final List<String> events = new ArrayList<>();
  private final List<Runnable> controlTasks = new ArrayList<>();
  private final List<byte[]> delivered = new ArrayList<>();
  private final SessionDataChannel data =
      new SessionDataChannel(
          "ovpn-test",
          link,
          PEER_ID,
          stats,
          new SessionDataChannel.Events() {
            @Override
            public void floated(InetSocketAddress oldRemote) {
              events.add("floated from " + oldRemote.getPort());
            }

            @Override
            public void exitRequested() {
              events.add("exit");
            }

            @Override
            public void onControlThread(Runnable task) {
              controlTasks.add(task);
            }
          });

  {
    data.sinkTo(
        packet -> {
          byte[] b = new byte[packet.remaining()];
          packet.get(b);
          delivered.add(b);
        });
  }

  private static final class RecordingLink implements OpenVpnLink {
    private volatile InetSocketAddress remote;
    final List<byte[]> sent = new ArrayList<>();

    RecordingLink(InetSocketAddress remote) {
      this.remote = remote;
    }

    @Override
    public void send(ByteBuffer packet) {
      byte[] b = new byte[packet.remaining()];
      packet.get(b);
      sent.add(b);
    }

    @Override
    public InetSocketAddress remote() {
      return remote;
    }

    @Override
    public void updateRemote(InetSocketAddress r) {
      remote = r;
    }

    @Override
    public boolean isStream() {
      return false;
    }

    @Override
    public void close() {}
  }

  /** The server's and the client's key for {@code keyId} from one random key material. */
  private static DataChannelKey[] keyPair(int keyId) throws Exception {
    byte[] material = new byte[DataChannelKeyMaterial.LENGTH];
    new SecureRandom().nextBytes(material);
    byte[] mirrored = new byte[material.length];
    System.arraycopy(material, 128, mirrored, 0, 128);
    System.arraycopy(material, 0, mirrored, 128, 128);
    return new DataChannelKey[] {
      DataChannelKey.create(
          DataCipherSuite.AES_256_GCM, DataChannelKeyMaterial.fromExporter(material), keyId,
          PEER_ID),
      DataChannelKey.create(
          DataCipherSuite.AES_256_GCM, DataChannelKeyMaterial.fromExporter(mirrored), keyId,
          PEER_ID)
    };
  }

  private static ByteBuffer sealed(DataChannelKey client, byte[] inner) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(inner.length + 64);
    client.encryptor().seal(ByteBuffer.wrap(inner), out);
    return out;
  }

  private static byte[] ipv4(int length) {
    byte[] p = new byte[length];
    p[0] = 0x45;
    p[3] = (byte) length;
    return p;
  }

  private void receive(ByteBuffer packet, InetSocketAddress from) {
    data.onDataPacket(packet, from, ByteBuffer.allocate(2048));
  }

  @Test
  void decryptsToTheSinkAndEncryptsForTheClient() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    receive(sealed(k[1], ipv4(40)), link.remote());
    assertEquals(1, delivered.size());
    assertEquals(40, delivered.get(0).length);

    data.deliverFromTun(ByteBuffer.wrap(ipv4(60)));
    ByteBuffer plain = ByteBuffer.allocate(2048);
    byte[] wire = link.sent.get(0);
    // the decryptor wants 16 spare bytes after the packet, as the receive buffers have
    k[1].decryptor().open(ByteBuffer.allocate(wire.length + 16).put(wire).flip(), 4, plain);
    assertEquals(60, plain.remaining());
    assertTrue(data.bytesIn() > 40 && data.bytesOut() > 60);
  }

  @Test
  void aPingIsNotDeliveredAndOccExitAsksTheSessionToEnd() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    receive(sealed(k[1], DataChannelMagic.PING), link.remote());
    byte[] exit = new byte[DataChannelMagic.OCC.length + 1];
    System.arraycopy(DataChannelMagic.OCC, 0, exit, 0, DataChannelMagic.OCC.length);
    exit[exit.length - 1] = DataChannelMagic.OCC_EXIT;
    receive(sealed(k[1], exit), link.remote());
    assertEquals(List.of(), delivered);
    assertEquals(List.of("exit"), events);
  }

  @Test
  void keepalivePingsBothWaysAreCountedApartFromTraffic() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    ByteBuffer ping = sealed(k[1], DataChannelMagic.PING);
    int pingIn = ping.remaining();
    receive(ping, link.remote());
    data.sendPing();
    int pingOut = link.sent.get(0).length;
    assertEquals(pingIn + pingOut, data.keepaliveBytes());
    assertEquals(pingIn, data.bytesIn());
    assertEquals(pingOut, data.bytesOut());

    receive(sealed(k[1], ipv4(40)), link.remote());
    data.deliverFromTun(ByteBuffer.wrap(ipv4(60)));

    assertEquals(pingIn + pingOut, data.keepaliveBytes(), "traffic is not keepalive");
    assertTrue(data.bytesIn() > pingIn + 40 && data.bytesOut() > pingOut + 60);
  }

  @Test
  void ourKeepaliveRidesTheClientsPingOnlyWhenAskedAndOursIsOldEnough() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    receive(sealed(k[1], DataChannelMagic.PING), link.remote());
    assertEquals(List.of(), link.sent, "no ride asked for: the control thread sends ours");

    data.keepaliveRide(1); // ours is always at least 1 ns old
    long before = System.nanoTime();
    receive(sealed(k[1], DataChannelMagic.PING), link.remote());
    assertEquals(1, link.sent.size());
    byte[] wire = link.sent.get(0);
    ByteBuffer plain = ByteBuffer.allocate(2048);
    k[1].decryptor().open(ByteBuffer.allocate(wire.length + 16).put(wire).flip(), 4, plain);
    assertTrue(DataChannelMagic.isPing(plain), "what rode the client's ping is our ping");
    assertTrue(data.lastPingReceivedNanos() - before >= 0);

    data.keepaliveRide(TimeUnit.HOURS.toNanos(1));
    receive(sealed(k[1], DataChannelMagic.PING), link.remote());
    assertEquals(1, link.sent.size(), "ours went just now: nothing rides this one");
    data.keepaliveRide(1);
    receive(sealed(k[1], ipv4(40)), link.remote());
    assertEquals(1, link.sent.size(), "only a ping is answered with ours");
    int pingIn = sealed(k[1], DataChannelMagic.PING).remaining();
    assertEquals(3L * pingIn + wire.length, data.keepaliveBytes(), "three pings in, ours out");
  }

  @Test
  void anAuthenticatedPacketFromANewAddressFloatsAForgedOneDoesNot() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    ByteBuffer forged = sealed(k[1], ipv4(40));
    forged.put(forged.limit() - 1, (byte) (forged.get(forged.limit() - 1) ^ 1));
    receive(forged, new InetSocketAddress("198.51.100.1", 1));
    assertEquals(1, stats.authenticationDropped.sum());
    assertEquals(40000, link.remote().getPort());

    receive(sealed(k[1], ipv4(40)), new InetSocketAddress("192.0.2.5", 40001));
    assertEquals(List.of("floated from 40000"), events);
    assertEquals(40001, link.remote().getPort());
  }

  @Test
  void aReplayedPacketIsCountedAsAReplayAndAForgedTagAsFailedAuthentication() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    ByteBuffer first = sealed(k[1], ipv4(40));
    byte[] wire = new byte[first.remaining()];
    first.get(wire);
    receive(ByteBuffer.allocate(wire.length + 16).put(wire).flip(), link.remote());
    receive(ByteBuffer.allocate(wire.length + 16).put(wire).flip(), link.remote());
    assertEquals(1, delivered.size());
    assertEquals(1, stats.replayDropped.sum());
    assertEquals(0, stats.authenticationDropped.sum());

    ByteBuffer forged = sealed(k[1], ipv4(40));
    forged.put(forged.limit() - 1, (byte) (forged.get(forged.limit() - 1) ^ 1));
    receive(forged, link.remote());
    assertEquals(1, stats.authenticationDropped.sum());
    assertEquals(1, stats.replayDropped.sum());
    assertEquals(1, delivered.size());
  }

  @Test
  void aRenegotiatedKeyIsSentWithOnceTheClientUsesItAndTheOldOneRetiresLater() throws Exception {
    DataChannelKey[] first = keyPair(0);
    DataChannelKey[] second = keyPair(1);
    data.startWith(first[0]);
    data.install(second[0]);
    data.pend(1);
    assertEquals(first[0], data.sendKey(), "no switch before the client shows it has the key");

    receive(sealed(second[1], ipv4(40)), link.remote());
    assertEquals(second[0], data.sendKey());
    assertEquals(-1, data.pendingKeyId());
    receive(sealed(first[1], ipv4(40)), link.remote());
    assertEquals(2, delivered.size(), "the old key still decrypts during the transition");

    controlTasks.forEach(Runnable::run);
    long now = System.nanoTime();
    assertEquals(-1, data.retireExpired(now));
    assertEquals(0, data.retireExpired(now + SessionDataChannel.TRANSITION_WINDOW_NANOS + 1));
    receive(sealed(first[1], ipv4(40)), link.remote());
    assertEquals(2, delivered.size());
    assertEquals(1, stats.unknownSessionDropped.sum());
  }

  @Test
  void aPacketOfAnotherPeerIdOrAfterCloseIsDropped() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    ByteBuffer other = sealed(k[1], ipv4(40));
    other.put(3, (byte) 0x0d);
    receive(other, link.remote());
    data.close();
    receive(sealed(k[1], ipv4(40)), link.remote());
    data.deliverFromTun(ByteBuffer.wrap(ipv4(40)));
    assertEquals(List.of(), delivered);
    assertEquals(List.of(), link.sent);
    assertEquals(2, stats.unknownSessionDropped.sum());
  }

  @Test
  void aSealFailureCostsOnePacketAndIsCounted() throws Exception {
    DataChannelKey[] k = keyPair(0);
    data.startWith(k[0]);
    data.deliverFromTun(ByteBuffer.wrap(new byte[70_000])); // larger than the seal buffer
    assertEquals(1, stats.sealFailed.sum());
    assertEquals(List.of(), link.sent);
    data.deliverFromTun(ByteBuffer.wrap(ipv4(60)));
    assertEquals(1, link.sent.size(), "the next packet still goes");
  }
}
