package io.vpngateway.gateway.management;

import io.vpngateway.gateway.session.TunnelSession;
import java.util.List;

/**
 * One session as {@code GET /sessions} shows it (and {@code vpngw sessions} prints it).
 *
 * @param outerAddress the client's transport address, {@code host:port}
 * @param since ISO-8601 instant the session was established
 */
public record SessionView(
    String id,
    String identity,
    List<String> groups,
    String authMethod,
    String protocol,
    String innerAddress,
    String outerAddress,
    String since,
    long bytesIn,
    long bytesOut,
    String cipher) {

  static SessionView of(TunnelSession s) {
    return new SessionView(
        s.id(),
        s.identity().name(),
        s.identity().groups(),
        s.identity().method().label(),
        s.protocol().crName(),
        s.innerAddress().getHostAddress(),
        s.outerAddress().getAddress().getHostAddress() + ":" + s.outerAddress().getPort(),
        s.since().toString(),
        s.bytesIn(),
        s.bytesOut(),
        s.cipher());
  }
}
