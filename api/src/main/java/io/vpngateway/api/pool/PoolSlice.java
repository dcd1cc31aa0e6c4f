package io.vpngateway.api.pool;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;

/**
 * The part of one pool that one replica hands to clients of one protocol.
 *
 * @param pool the whole pool (its CIDR is the subnet clients see; its gateway address is shared by
 *     every replica, each on its own TUN)
 * @param protocol the protocol whose clients use this slice
 * @param range the client addresses of this slice; disjoint from every other slice of the pool
 */
public record PoolSlice(PoolSpec pool, VpnProtocol protocol, AddressRange range) {}
