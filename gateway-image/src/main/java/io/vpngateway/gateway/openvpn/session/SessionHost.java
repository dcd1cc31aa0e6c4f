package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Optional;

/** What a session needs from the server that owns it. */
public interface SessionHost {
  OpenVpnServerSettings settings();

  ServerTlsContext tls();

  /** Authentication, the gateway-wide connection budget and refusal reporting. */
  Admission admission();

  AddressAllocator allocator();

  SessionRegistry registry();

  /** Where the session of the client with inner address {@code clientAddress} writes. */
  InnerPacketSink sinkFor(Inet4Address clientAddress);

  OpenVpnServerStats stats();

  /** The auth tokens to issue to admitted clients (the pipeline's), when configured. */
  default Optional<AuthTokens> authTokens() {
    return admission().authentication().authTokens();
  }

  /** The dynamic (CRV1) challenges waiting for a client to come back with its answer. */
  DynamicChallenges challenges();

  /** The server's admitted sessions by identity name (a client's abandoned connections). */
  AdmittedSessions admittedSessions();

  /** Runs {@code task} on the control thread. */
  void runOnControlThread(Runnable task);

  /** UDP: the session's client moved to {@code newRemote}; re-key the address map. */
  void floated(OpenVpnClientSession session, InetSocketAddress oldRemote);

  /** The session's client passed authentication: it no longer counts as a handshake. */
  void authenticated(OpenVpnClientSession session);

  /** The session pushed its configuration and is now carrying traffic. */
  void established(OpenVpnClientSession session);

  /** The session ended; drop it from every map and free its peer id. */
  void closed(OpenVpnClientSession session);
}
