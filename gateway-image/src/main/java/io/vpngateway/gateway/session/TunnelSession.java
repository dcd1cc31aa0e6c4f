package io.vpngateway.gateway.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One established client tunnel, as the data plane and the management API see it. Each protocol
 * package provides its own implementation; the data plane only routes packets to it.
 */
public interface TunnelSession {
  /** Stable, unique id for the management API ({@code vpngw disconnect ID}). */
  String id();

  VpnProtocol protocol();

  ClientIdentity identity();

  /** The address the client was given from the pool. */
  Inet4Address innerAddress();

  /** The client's current outer (transport) address; changes when the client floats. */
  InetSocketAddress outerAddress();

  Instant since();

  /** The negotiated data-channel cipher, e.g. {@code AES-256-GCM}. */
  String cipher();

  long bytesIn();

  long bytesOut();

  /**
   * Encrypts one IP packet read from TUN (position to limit) and sends it to the client. Called
   * from data-plane worker threads; the buffer is reused by the caller after this returns.
   */
  void deliverFromTun(ByteBuffer ipPacket);

  /** Ends the session (revocation, disconnect, shutdown), telling the client where the protocol can. */
  void close(String reason);
}
