package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.TunnelSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends RADIUS accounting (RFC 2866) for the sessions RADIUS authenticated, whatever their
 * protocol: Accounting-Request Start when a session is registered, Stop with its byte counts when
 * it leaves the registry (see {@link RadiusAccounting} for the attributes). Sessions of other
 * methods (certificate only, OIDC, auth tokens) are not accounted. Listens to the {@code
 * SessionRegistry}; never blocks its caller (records go out on the RADIUS service's pool).
 */
public final class RadiusSessionAccounting {
  private final RadiusService service;
  private final Map<String, RadiusAccounting.Session> open = new ConcurrentHashMap<>();

  public RadiusSessionAccounting(RadiusService service) {
    this.service = service;
  }

  /** A session came up (registered with its inner address). */
  public void started(TunnelSession session) {
    ClientIdentity who = session.identity();
    if (who == null || who.method() != AuthMethod.RADIUS || !service.enabled()) {
      return;
    }
    RadiusAccounting.Session record =
        new RadiusAccounting.Session(
            who.name(),
            RadiusPasswordBackend.nas(
                new ClientInfo(session.protocol(), session.id(), session.outerAddress(), Map.of()),
                service),
            session.innerAddress(),
            who.assigned().classes(),
            session.since());
    if (open.putIfAbsent(session.id(), record) == null) {
      service.accounting().start(record);
    }
  }

  /** A session ended: Stop with what it carried. */
  public void ended(TunnelSession session) {
    RadiusAccounting.Session record = open.remove(session.id());
    if (record == null) {
      return;
    }
    service.accounting().stop(record, session.bytesIn(), session.bytesOut(),
        RadiusAccounting.TerminateCause.NAS_REQUEST);
  }

  /** Sessions with a Start sent and no Stop yet (tests, metrics). */
  public int open() {
    return open.size();
  }
}
