package io.vpngateway.gateway.protocol;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One client-facing protocol server (OpenVPN, IKEv2, SSTP), as the gateway runtime drives it. The
 * runtime names no protocol: it starts, reloads, measures and stops every enabled one through this
 * interface, in the order of {@code VpnProtocol}.
 *
 * <p>Adding a protocol (see {@code docs/adding-a-protocol.md}):
 *
 * <ol>
 *   <li>a package {@code io.vpngateway.gateway.<protocol>} with {@code message}, {@code session},
 *       {@code crypto}, {@code exception} (STYLE.md) and a class implementing this interface whose
 *       constructor takes a {@link ProtocolContext} (that is the {@link ProtocolServerFactory});
 *   <li>one registration line in {@code runtime/ProtocolServers};
 *   <li>its sessions implement {@code session.TunnelSession}, register in the context's {@code
 *       SessionRegistry}, and admit clients through the context's {@code Admission} (the
 *       authentication pipeline, the gateway-wide connection budget, refusal reporting) and {@code
 *       AddressAllocator} (the pool chosen by the identity's groups).
 * </ol>
 *
 * Everything else (TUN, data plane, NAT, revocation of live sessions, metrics endpoint, management
 * API, config reload) is the runtime's and applies to the new protocol unchanged.
 */
public interface ProtocolServer extends AutoCloseable {
  /** Which protocol this serves. */
  VpnProtocol protocol();

  /**
   * Binds its sockets (or registers with a shared port) and starts serving. Called once, after
   * the data plane is up; a throw aborts the gateway's start (everything started is closed).
   */
  void start() throws IOException;

  /**
   * Runs up to {@code handshakes} complete handshakes of this protocol in memory, before {@link
   * #start}, on the production code path with a throwaway client identity, so the JIT compiles
   * that path before the first real client arrives; stops at {@code deadlineNanos} ({@link
   * System#nanoTime}). Nothing of it may reach the gateway's sessions, pools, metrics or refusal
   * log, or leave the process. The runtime logs a throw and starts the server anyway.
   *
   * @return the handshakes completed (0 for a protocol without a warm-up)
   */
  default int warmUp(int handshakes, long deadlineNanos) throws Exception {
    return 0;
  }

  /**
   * Whether the runtime runs {@link #warmUp} when the operator did not say (system property
   * {@code vpngw.warmup.<protocol>}, e.g. {@code vpngw.warmup.openvpn=true}): only where a
   * benchmark showed the warm-up lowers the real clients' cost.
   */
  default boolean warmUpByDefault() {
    return true;
  }

  /**
   * Applies a reloaded configuration to new sessions (routes, DNS, timers, crypto policy, server
   * certificate), and holds live sessions to the reloaded authentication rules: it ends those they
   * no longer admit ({@code Admission.endSessionsNoLongerAdmitted}; OpenVPN the same on its
   * control thread, and again at each renegotiation). What was bound at start (ports, keys sized
   * at start) stays; the runtime already logs settings that need a restart. Called on the reload
   * thread after trust (CA, CRL, roots) was swapped and live sessions' certificates re-checked.
   * Must not throw for a config the loader validated; a {@code RuntimeException} is logged and
   * the server keeps its previous settings.
   */
  void apply(RuntimeConfig next);

  /** Where it listens, for the ready log line and tests; empty before {@link #start}. */
  List<Endpoint> endpoints();

  /**
   * Packets (and connections) it dropped before they reached a session, by reason, read at
   * scrape time: {@code vpngw_dropped_packets_total{protocol=<its CR name>,reason}}.
   */
  default Map<String, Long> droppedPackets() {
    return Map.of();
  }

  /**
   * Its own metric families beyond the shared ones (sessions, handshakes, drops), e.g. {@code
   * vpngw_openvpn_renegotiations_total}; called at scrape time.
   */
  default void collectMetrics(PrometheusTextWriter writer) {}

  /** Ends its sessions (telling clients where the protocol can) and closes its sockets. */
  @Override
  void close();
}
