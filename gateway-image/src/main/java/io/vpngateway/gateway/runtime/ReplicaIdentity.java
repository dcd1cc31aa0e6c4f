package io.vpngateway.gateway.runtime;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which replica this process is. In Kubernetes the gateway runs as a StatefulSet, whose pods are
 * named {@code <name>-<ordinal>}; the ordinal picks this replica's disjoint slice of every address
 * pool and its share of {@code maxConnections}. A standalone gateway is replica 0 of 1.
 *
 * @param ordinal 0-based replica index
 * @param replicas how many replicas share the pools
 */
public record ReplicaIdentity(int ordinal, int replicas) {
  private static final Pattern ORDINAL_SUFFIX = Pattern.compile("-(\\d{1,5})$");

  public ReplicaIdentity {
    if (replicas < 1 || ordinal < 0 || ordinal >= replicas) {
      throw new IllegalArgumentException(
          "replica "
              + ordinal
              + " of "
              + replicas
              + " is out of range (is the StatefulSet larger than the config's replicas?)");
    }
  }

  /** From a StatefulSet pod host name ({@code gw-2} is ordinal 2); no suffix means 0. */
  public static ReplicaIdentity fromHostname(String hostname, int replicas) {
    Matcher m = ORDINAL_SUFFIX.matcher(hostname == null ? "" : hostname.trim());
    int ordinal = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return new ReplicaIdentity(ordinal, replicas);
  }

  /** The standalone gateway: one replica. */
  public static ReplicaIdentity standalone() {
    return new ReplicaIdentity(0, 1);
  }

  /**
   * This replica's share of a gateway-wide connection limit: an even split, the remainder going to
   * the lowest ordinals, so the shares add up to exactly {@code maxConnections}.
   */
  public int shareOf(int maxConnections) {
    int share = maxConnections / replicas + (ordinal < maxConnections % replicas ? 1 : 0);
    return Math.max(1, share);
  }
}
