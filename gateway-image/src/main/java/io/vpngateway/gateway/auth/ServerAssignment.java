package io.vpngateway.gateway.auth;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the server that authenticated a client assigned to its session beyond groups: a RADIUS
 * Access-Accept's Framed-IP-Address (RFC 2865 section 5.8; the address allocator honours it when
 * it lies in the client's pool) and its Class values (RFC 2865 section 5.25; echoed in every
 * accounting record of the session), and its Acct-Interim-Interval (RFC 2869 section 5.16). Empty
 * for other methods.
 *
 * @param framedAddress the address the server chose for the client, if any
 * @param classes the Class values to echo, as the server sent them
 * @param accountingInterval how often the server wants Interim-Updates, if it said
 */
public record ServerAssignment(
    Optional<Inet4Address> framedAddress,
    List<byte[]> classes,
    Optional<Duration> accountingInterval) {
  public static final ServerAssignment NONE =
      new ServerAssignment(Optional.empty(), List.of(), Optional.empty());

  public ServerAssignment(Optional<Inet4Address> framedAddress, List<byte[]> classes) {
    this(framedAddress, classes, Optional.empty());
  }

  public ServerAssignment {
    framedAddress = framedAddress == null ? Optional.empty() : framedAddress;
    accountingInterval = accountingInterval == null ? Optional.empty() : accountingInterval;
    classes = classes == null ? List.of() : classes.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> classes() {
    return classes.stream().map(byte[]::clone).toList();
  }
}
