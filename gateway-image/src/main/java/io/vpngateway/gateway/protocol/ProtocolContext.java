package io.vpngateway.gateway.protocol;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.portshare.SharedTcpPorts;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * What the gateway gives every protocol server: the configuration it starts with and the shared,
 * protocol-neutral services. A protocol server reads its own settings from {@link #config()} (its
 * section of the document, the files) and listens on {@link #listenAddress()} at the ports of
 * {@link #listen()}.
 *
 * @param config the configuration at start; later ones arrive through {@link
 *     ProtocolServer#apply}
 * @param listenAddress the address to bind (all addresses in a pod)
 * @param listen the ports to bind: the document's, with the host's overrides applied (tests, a
 *     standalone host); -1 turns a listener off
 * @param connectionShare this replica's share of {@code maxConnections}, for sizing tables (the
 *     limit itself is enforced by {@link #admission()})
 * @param tunMtu the MTU of the TUN device, i.e. the largest inner packet a session carries
 * @param admission authentication, the connection budget and refusal reporting
 * @param allocator inner addresses from this replica's slice of the pool the identity's groups
 *     select
 * @param sessions every live session of the gateway; a session registers once it has its address
 * @param sinks where a session writes the inner packets it decrypted: {@code sinks.apply(its inner
 *     address)} (source-address checks, client-to-client)
 * @param tcpPorts the gateway's TCP listeners: a protocol on TCP registers a {@code
 *     TcpProtocolHandler} for its port in {@link ProtocolServer#start} instead of binding it, so
 *     that protocols can share a port (TCP 443); the runtime binds after every protocol started
 */
public record ProtocolContext(
    RuntimeConfig config,
    InetAddress listenAddress,
    GatewayConfig.Listen listen,
    int connectionShare,
    int tunMtu,
    Admission admission,
    AddressAllocator allocator,
    SessionRegistry sessions,
    Function<Inet4Address, InnerPacketSink> sinks,
    SharedTcpPorts tcpPorts) {

  /**
   * This context with another sink factory: the runtime gives each protocol sinks that count the
   * packets they drop under that protocol.
   */
  public ProtocolContext withSinks(Function<Inet4Address, InnerPacketSink> protocolSinks) {
    return new ProtocolContext(
        config,
        listenAddress,
        listen,
        connectionShare,
        tunMtu,
        admission,
        allocator,
        sessions,
        protocolSinks,
        tcpPorts);
  }

  /** The sink for the session whose inner address is {@code clientAddress}. */
  public InnerPacketSink sinkFor(Inet4Address clientAddress) {
    return sinks.apply(clientAddress);
  }
}
