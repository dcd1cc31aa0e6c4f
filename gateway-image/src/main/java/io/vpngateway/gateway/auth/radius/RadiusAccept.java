package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an Access-Accept grants, as the gateway uses it.
 *
 * @param userName the name to use for the session: the User-Name the server returned (it may
 *     canonicalise it), else the one sent
 * @param groups groups from the configured attribute (Class, Filter-Id or a vendor attribute)
 * @param framedAddress Framed-IP-Address, when the server assigns one (honoured by the pool
 *     allocator only when it lies in the group's pool slice)
 * @param classes every Class value, echoed in accounting (RFC 2865 section 5.25)
 * @param sessionTimeout Session-Timeout, when set
 * @param interimInterval Acct-Interim-Interval (RFC 2869 section 5.16), when set: how often the
 *     server wants Interim-Updates for this session
 * @param mppeKeys the decrypted MS-MPPE keys (EAP methods and MS-CHAPv2 derive them)
 * @param server the server that accepted
 * @param serverNanos time spent waiting for RADIUS servers during the whole authentication
 */
public record RadiusAccept(
    String userName,
    List<String> groups,
    Optional<Inet4Address> framedAddress,
    List<byte[]> classes,
    Optional<Duration> sessionTimeout,
    Optional<Duration> interimInterval,
    Optional<MppeKeys> mppeKeys,
    RadiusServerEndpoint server,
    long serverNanos) {

  public RadiusAccept {
    groups = List.copyOf(groups);
    classes = List.copyOf(classes);
  }

  /** Reads an Access-Accept under {@code settings}. */
  public static RadiusAccept of(
      RadiusResponse response, String sentUserName, RadiusSettings settings, long serverNanos) {
    RadiusPacket p = response.packet();
    String name =
        p.first(RadiusAttributeType.USER_NAME)
            .map(RadiusAttribute::asString)
            .filter(n -> !n.isBlank() && n.chars().noneMatch(c -> c < 0x20))
            .orElse(sentUserName);
    return new RadiusAccept(
        name,
        settings.groups().groups(p),
        framedAddress(p),
        p.attributes(RadiusAttributeType.CLASS).stream().map(RadiusAttribute::value).toList(),
        p.first(RadiusAttributeType.SESSION_TIMEOUT)
            .flatMap(RadiusAttribute::asInteger)
            .filter(s -> s > 0)
            .map(Duration::ofSeconds),
        p.first(RadiusAttributeType.ACCT_INTERIM_INTERVAL)
            .flatMap(RadiusAttribute::asInteger)
            .filter(s -> s > 0)
            .map(Duration::ofSeconds),
        response.mppeKeys(),
        response.server(),
        serverNanos);
  }

  /**
   * Framed-IP-Address (RFC 2865 section 5.8), except 255.255.255.255 ("let the user choose") and
   * 255.255.255.254 ("let the NAS choose"), which mean no assignment.
   */
  static Optional<Inet4Address> framedAddress(RadiusPacket p) {
    Optional<RadiusAttribute> a = p.first(RadiusAttributeType.FRAMED_IP_ADDRESS);
    if (a.isEmpty() || a.get().length() != 4) {
      return Optional.empty();
    }
    byte[] v = a.get().value();
    if ((v[0] & 0xff) == 255 && (v[1] & 0xff) == 255 && (v[2] & 0xff) == 255
        && (v[3] & 0xff) >= 254) {
      return Optional.empty();
    }
    try {
      return Optional.of((Inet4Address) InetAddress.getByAddress(v));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
