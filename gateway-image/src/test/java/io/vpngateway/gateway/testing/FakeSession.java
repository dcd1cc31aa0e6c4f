package io.vpngateway.gateway.testing;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/** A session without a protocol behind it, for management, metrics and reload tests. */
public final class FakeSession implements TunnelSession {
  private final String id;
  private final VpnProtocol protocol;
  private final ClientIdentity identity;
  private final Inet4Address inner;
  private final Instant since = Instant.parse("2026-11-25T10:00:00Z");
  private volatile String closedReason;

  public FakeSession(String id, String name, String certificateSha256, String innerAddress) {
    this(
        id,
        new ClientIdentity(
            name, List.of("engineering"), AuthMethod.CERTIFICATE, "test", certificateSha256, null),
        innerAddress);
  }

  /** A session of a client that authenticated as {@code identity} (e.g. from an authenticator). */
  public FakeSession(String id, ClientIdentity identity, String innerAddress) {
    this(id, VpnProtocol.OpenVPN, identity, innerAddress);
  }

  /** A session of {@code protocol} (the reload's re-judging goes by protocol). */
  public FakeSession(
      String id, VpnProtocol protocol, ClientIdentity identity, String innerAddress) {
    this.id = id;
    this.protocol = protocol;
    this.identity = identity;
    try {
      this.inner = (Inet4Address) InetAddress.getByName(innerAddress);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public VpnProtocol protocol() {
    return protocol;
  }

  @Override
  public ClientIdentity identity() {
    return identity;
  }

  @Override
  public Inet4Address innerAddress() {
    return inner;
  }

  @Override
  public InetSocketAddress outerAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
  }

  @Override
  public Instant since() {
    return since;
  }

  @Override
  public String cipher() {
    return "AES-256-GCM";
  }

  @Override
  public long bytesIn() {
    return 1000;
  }

  @Override
  public long bytesOut() {
    return 2000;
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {}

  @Override
  public void close(String reason) {
    closedReason = reason;
  }

  /** Why the session was closed, or null while it is open. */
  public String closedReason() {
    return closedReason;
  }
}
