package io.vpngateway.gateway.ippool;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.util.Optional;

/** Hands out inner addresses from the group-aware pools slice of this replica and protocol. */
public interface AddressAllocator {
  /** An address for this client, or empty when its pool is exhausted. */
  Optional<AddressLease> allocate(ClientIdentity client, VpnProtocol protocol);
}
