package io.vpngateway.api.policy;

import java.util.List;

/**
 * A resolved crypto policy: IKE and ESP proposals in strongSwan notation, TLS limits and OpenVPN
 * data ciphers. Immutable.
 */
public record CryptoPolicy(
    String name,
    List<String> ike,
    List<String> esp,
    String tlsMinVersion,
    List<String> tlsCipherSuites,
    List<String> dataCiphers) {
  public CryptoPolicy {
    ike = List.copyOf(ike);
    esp = List.copyOf(esp);
    tlsCipherSuites = List.copyOf(tlsCipherSuites);
    dataCiphers = List.copyOf(dataCiphers);
  }
}
