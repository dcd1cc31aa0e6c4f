package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway tells the RADIUS server about the connection being authenticated, sent in every
 * request of it: NAS-Identifier, Calling-Station-Id (the client's outer address), Acct-Session-Id,
 * Service-Type Framed-User and NAS-Port-Type Virtual (RFC 2865 section 5; RFC 2866 section 5.5).
 *
 * @param nasIdentifier the gateway (namespace/name)
 * @param client the client's outer address, or null when unknown
 * @param sessionId the gateway's session id (also Acct-Session-Id in accounting)
 * @param protocol the client's protocol, sent as Called-Station-Id's suffix for policies
 */
public record NasContext(
    String nasIdentifier, InetSocketAddress client, String sessionId, String protocol) {

  /** The attributes common to every Access-Request and Accounting-Request of this connection. */
  public List<RadiusAttribute> attributes() {
    List<RadiusAttribute> out = new ArrayList<>();
    if (nasIdentifier != null && !nasIdentifier.isEmpty()) {
      out.add(RadiusAttribute.string(RadiusAttributeType.NAS_IDENTIFIER, nasIdentifier));
    }
    out.add(
        RadiusAttribute.integer(
            RadiusAttributeType.SERVICE_TYPE, RadiusAttributeType.SERVICE_TYPE_FRAMED));
    out.add(
        RadiusAttribute.integer(
            RadiusAttributeType.NAS_PORT_TYPE, RadiusAttributeType.NAS_PORT_TYPE_VIRTUAL));
    if (client != null && client.getAddress() != null) {
      out.add(
          RadiusAttribute.string(
              RadiusAttributeType.CALLING_STATION_ID, client.getAddress().getHostAddress()));
    }
    if (protocol != null) {
      out.add(RadiusAttribute.string(RadiusAttributeType.CALLED_STATION_ID, protocol));
    }
    if (sessionId != null) {
      out.add(RadiusAttribute.string(RadiusAttributeType.ACCT_SESSION_ID, sessionId));
    }
    return out;
  }
}
