package io.vpngateway.gateway.dataplane;

/**
 * A point-in-time copy of the data-plane counters, for metrics. "From TUN" is traffic towards
 * clients (read from the kernel), "to TUN" traffic from clients (written to the kernel).
 *
 * @param packetsFromTun packets read from the TUN queues
 * @param bytesFromTun their bytes
 * @param deliveredToSessions packets handed to a session
 * @param droppedNoSession read packets whose destination has no session
 * @param droppedNotIpv4 read packets that are IPv6 (not routed to clients)
 * @param droppedMalformed packets with a broken IPv4 header, either direction
 * @param droppedSessionError packets a session threw on
 * @param packetsToTun packets from clients written to TUN
 * @param bytesToTun their bytes
 * @param droppedTunWriteError packets the kernel refused
 * @param droppedSpoofedSource client packets whose source is not the client's address
 * @param droppedClientToClient client packets to another client while that is disabled
 * @param forwardedClientToClient client packets handed directly to another client's session
 */
public record DataPlaneStats(
    long packetsFromTun,
    long bytesFromTun,
    long deliveredToSessions,
    long droppedNoSession,
    long droppedNotIpv4,
    long droppedMalformed,
    long droppedSessionError,
    long packetsToTun,
    long bytesToTun,
    long droppedTunWriteError,
    long droppedSpoofedSource,
    long droppedClientToClient,
    long forwardedClientToClient) {}
