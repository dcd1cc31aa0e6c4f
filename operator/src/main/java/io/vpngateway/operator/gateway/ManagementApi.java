package io.vpngateway.operator.gateway;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the operator asks a gateway pod's management API: how many client sessions it holds, by
 * protocol, and how its authentication servers answer. An interface so the aggregation in {@link ConnectionsProbe} is tested without
 * sockets; {@link HttpManagementApi} is the real one.
 */
public interface ManagementApi {

  /**
   * How to reach one gateway's management API: its bearer token, and for TLS the gateway's CA (the
   * only one trusted) and the identity its management certificate must name ({@code
   * io.vpngateway.api.pki.ManagementTls}).
   *
   * @param token the management bearer token; implementations must never log it
   */
  record Access(String token, X509Certificate ca, String identity) {
    @Override
    public String toString() {
      return "Access[" + identity + "]"; // never the token
    }
  }

  /**
   * Live sessions by protocol name (as the CR spells it), from the pod at {@code address}. The
   * future fails when the pod does not answer in time, is not the gateway {@code access} names,
   * refuses the token or answers something that is not the gateway's metrics; it never completes
   * with made-up numbers.
   */
  CompletableFuture<Map<String, Integer>> sessionsByProtocol(
      InetSocketAddress address, Access access);

  /**
   * Everything the status reads from the pod at {@code address} in one request: sessions, and
   * the health of its authentication servers. Same failure rules as {@link #sessionsByProtocol}.
   */
  default CompletableFuture<PodReport> report(InetSocketAddress address, Access access) {
    return sessionsByProtocol(address, access).thenApply(PodReport::sessionsOnly);
  }
}
