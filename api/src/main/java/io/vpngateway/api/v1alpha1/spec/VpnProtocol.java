package io.vpngateway.api.v1alpha1.spec;

import java.util.Optional;

/**
 * The client-facing tunnel protocols: the one protocol enum of the project. The CR's {@code
 * spec.protocols}, the config document's {@code protocols}, client profiles, the operator's ports,
 * the gateway's protocol servers, session views and metrics labels all use it.
 *
 * <p>The constant names are the serialized values of the CR (the CRD schema lists them), so they
 * must not be renamed; {@link #crName()} is that spelling for places that need a string (the
 * config document, metric labels, logs), and {@link #fromCrName} reads it back.
 */
public enum VpnProtocol {
  OpenVPN,
  IKEv2,
  SSTP;

  /** The spelling used in the VpnGateway CR, the config document and metrics labels. */
  public String crName() {
    return name();
  }

  /** The protocol spelled {@code name} as in the CR, or empty for anything else. */
  public static Optional<VpnProtocol> fromCrName(String name) {
    for (VpnProtocol p : values()) {
      if (p.name().equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
