/**
 * OpenVPN 2.x protocol server (point-to-site), interoperable with the unmodified openvpn 2.6
 * client; reference: the OpenVPN protocol description used by MirageVPN and openvpn's {@code
 * ssl.c}, {@code ssl_pkt.c}, {@code reliable.c}, {@code crypto.c}, {@code tls_crypt.c}.
 *
 * <h2>Layout</h2>
 *
 * <ul>
 *   <li>{@code message}: immutable packet and control-message codecs (no state): {@code
 *       OpenVpnControlPacket}, {@code KeyMethod2Client/Server}, {@code PeerInfo}.
 *   <li>{@code crypto}: tls-crypt and tls-crypt-v2 control-channel protection, the AEAD data
 *       channel ({@code DataChannelKey.create} from the negotiated cipher and the key material of
 *       tls-ekm or the key-method-2 PRF), replay windows.
 *   <li>{@code session}: the reliability layer, the TLS control channel (JDK {@code SSLEngine}),
 *       key states (renegotiation) and {@code OpenVpnClientSession}, the {@code TunnelSession}.
 *   <li>{@code transport}: UDP (one shared socket) and TCP (2-byte length framing, {@code
 *       adopt(SocketChannel, ByteBuffer)} for a shared port).
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <pre>
 *   UDP rx threads (one SO_REUSEPORT socket per core) ──P_DATA_V2, peer-id──▶ decrypt ──▶ TUN
 *        │ control packets, new resets (after the rate limit)
 *        ▼
 *   openvpn-control (1 thread) ── TLS, key exchange, push, timers, renegotiation
 *   TCP reader (1 per connection) ── like the UDP rx thread, for its one session
 *   data-plane TUN workers ── TunnelSession.deliverFromTun ──▶ encrypt ──▶ socket
 * </pre>
 *
 * Data packets never leave the thread that received them; the control thread owns every key
 * state, so the protocol state machines need no locks.
 *
 * <h2>Security</h2>
 *
 * With tls-crypt or tls-crypt-v2 configured, every control packet (the first one included) is
 * authenticated (HMAC-SHA256, constant-time) before it is parsed and before any TLS work; new
 * handshakes are also rate-limited per source address. The client's certificate chain is checked
 * by the gateway's {@code CertificateAuthenticator} after the TLS handshake and again at every
 * renegotiation; a refusal reaches the client as {@code AUTH_FAILED,<reason>}.
 */
package io.vpngateway.gateway.openvpn;
