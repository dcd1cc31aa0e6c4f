package io.vpngateway.gateway.protocol;

/**
 * Creates a protocol's server from the gateway's shared parts; a constructor reference ({@code
 * SomeProtocolServer::new}) in {@code runtime/ProtocolServers}. Creating must not bind sockets or
 * start threads ({@link ProtocolServer#start} does); it may validate the config and throw.
 */
@FunctionalInterface
public interface ProtocolServerFactory {
  ProtocolServer create(ProtocolContext context) throws Exception;
}
