package io.vpngateway.gateway.auth;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the server that authenticated a client assigned to its session beyond groups: a RADIUS
 * Access-Accept's Framed-IP-Address (RFC 2865 section 5.8; the address allocator honours it when
 * it lies in the client's pool) and its Class values (RFC 2865 section 5.25; echoed in every
 * accounting record of the session), and its Acct-Interim-Interval (RFC 2869 section 5.16); the end
 * of the sign-in (an OIDC token's {@code exp} plus the allowed clock skew), past which the gateway
 * ends the session. Empty for other methods.
 *
 * @param framedAddress the address the server chose for the client, if any
 * @param classes the Class values to echo, as the server sent them
 * @param accountingInterval how often the server wants Interim-Updates, if it said
 * @param notAfter when the sign-in ends: the session is ended then, and our auth tokens issued to
 *     it expire then at the latest
 */
public record ServerAssignment(
    Optional<Inet4Address> framedAddress,
    List<byte[]> classes,
    Optional<Duration> accountingInterval,
    Optional<Instant> notAfter) {
  public static final ServerAssignment NONE =
      new ServerAssignment(Optional.empty(), List.of(), Optional.empty(), Optional.empty());

  public ServerAssignment(Optional<Inet4Address> framedAddress, List<byte[]> classes) {
    this(framedAddress, classes, Optional.empty(), Optional.empty());
  }

  public ServerAssignment(
      Optional<Inet4Address> framedAddress,
      List<byte[]> classes,
      Optional<Duration> accountingInterval) {
    this(framedAddress, classes, accountingInterval, Optional.empty());
  }

  /** A sign-in that ends at {@code notAfter} and assigns nothing else. */
  public static ServerAssignment until(Instant notAfter) {
    return new ServerAssignment(Optional.empty(), List.of(), Optional.empty(),
        Optional.of(notAfter));
  }

  public ServerAssignment {
    framedAddress = framedAddress == null ? Optional.empty() : framedAddress;
    accountingInterval = accountingInterval == null ? Optional.empty() : accountingInterval;
    notAfter = notAfter == null ? Optional.empty() : notAfter;
    classes = classes == null ? List.of() : classes.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> classes() {
    return classes.stream().map(byte[]::clone).toList();
  }
}
