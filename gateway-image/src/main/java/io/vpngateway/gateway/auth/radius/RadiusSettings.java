package io.vpngateway.gateway.auth.radius;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How the gateway talks to its RADIUS servers; immutable, swapped whole on a config reload.
 *
 * @param servers every server, sorted here by ascending priority (ties keep their order)
 * @param retries retransmissions to one server before failing over to the next
 * @param passwordProtocol how a plain password is sent (PAP, or MS-CHAPv2 computed by us)
 * @param groups which reply attributes name the client's groups
 * @param nasIdentifier sent as NAS-Identifier (the gateway's namespace/name)
 * @param requireMessageAuthenticator drop Access-Accept/Reject/Challenge replies without a
 *     Message-Authenticator (EAP replies always need one, RFC 3579 section 3.2; FreeRADIUS 3.2.1
 *     sends none on plain PAP/MS-CHAP replies, hence off by default)
 * @param interimInterval the configured Interim-Update period, {@link Duration#ZERO} for none
 *     (an Access-Accept's Acct-Interim-Interval still asks for one)
 */
public record RadiusSettings(
    List<RadiusServerEndpoint> servers,
    int retries,
    PasswordProtocol passwordProtocol,
    GroupAttributeSelector groups,
    String nasIdentifier,
    boolean requireMessageAuthenticator,
    Duration interimInterval) {

  /** Settings without a configured Interim-Update period. */
  public RadiusSettings(
      List<RadiusServerEndpoint> servers,
      int retries,
      PasswordProtocol passwordProtocol,
      GroupAttributeSelector groups,
      String nasIdentifier,
      boolean requireMessageAuthenticator) {
    this(servers, retries, passwordProtocol, groups, nasIdentifier, requireMessageAuthenticator,
        Duration.ZERO);
  }

  /** How a password reaches the server. */
  public enum PasswordProtocol {
    /** User-Password hidden with the shared secret (RFC 2865 section 5.2). */
    PAP,
    /** MS-CHAP2-Response computed by the gateway, server's authenticator response checked. */
    MSCHAPV2
  }

  public RadiusSettings {
    Objects.requireNonNull(passwordProtocol, "passwordProtocol");
    Objects.requireNonNull(groups, "groups");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one RADIUS server is needed");
    }
    interimInterval = interimInterval == null ? Duration.ZERO : interimInterval;
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative");
    }
    servers =
        servers.stream()
            .sorted(Comparator.comparingInt(RadiusServerEndpoint::priority))
            .toList();
  }
}
