package io.vpngateway.operator.gateway;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one question the operator asks a gateway pod's management API: how many client sessions it
 * holds, by protocol. An interface so the aggregation in {@link ConnectionsProbe} is tested without
 * sockets; {@link HttpManagementApi} is the real one.
 */
public interface ManagementApi {

  /**
   * Live sessions by protocol name (as the CR spells it), from the pod at {@code address}. The
   * future fails when the pod does not answer in time, refuses the token or answers something that
   * is not the gateway's metrics; it never completes with made-up numbers.
   *
   * @param token the management bearer token; implementations must never log it
   */
  CompletableFuture<Map<String, Integer>> sessionsByProtocol(
      InetSocketAddress address, String token);
}
