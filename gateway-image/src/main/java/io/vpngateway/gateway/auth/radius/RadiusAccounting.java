package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * RADIUS accounting (RFC 2866) for sessions that RADIUS authenticated: Start when the session is
 * up, Interim-Update periodically, Stop with the final byte counts (octets split into the
 * 32-bit counter and its Gigawords, RFC 2869 section 5.1-5.2) and the cause. Every request echoes
 * the Class attributes of the Access-Accept (RFC 2865 section 5.25) so the server can tie the
 * records to the login.
 *
 * <p>Sent asynchronously on the executor: a slow accounting server never delays a session. A
 * record no server took is logged once and counted ({@link #failures()}).
 */
public final class RadiusAccounting {
  private static final System.Logger LOG = System.getLogger(RadiusAccounting.class.getName());

  /** Acct-Status-Type values (RFC 2866 section 5.1). */
  public enum Status {
    START(1),
    STOP(2),
    INTERIM_UPDATE(3);

    final int value;

    Status(int value) {
      this.value = value;
    }
  }

  /** Acct-Terminate-Cause values (RFC 2866 section 5.10) the gateway uses. */
  public enum TerminateCause {
    USER_REQUEST(1),
    LOST_CARRIER(2),
    IDLE_TIMEOUT(4),
    SESSION_TIMEOUT(5),
    ADMIN_RESET(6),
    /** The gateway is shutting down (RFC 2866: "Administrator is ending service on the NAS"). */
    ADMIN_REBOOT(7),
    /** The gateway ended the session (any reason it does not name more precisely). */
    NAS_REQUEST(10),
    NAS_REBOOT(11);

    final int value;

    TerminateCause(int value) {
      this.value = value;
    }
  }

  /**
   * One session as accounting sees it.
   *
   * @param userName the authenticated name
   * @param nas the connection (session id, client address)
   * @param framedAddress the client's inner address
   * @param classes the Class values of the Access-Accept
   * @param started when the session came up
   */
  public record Session(
      String userName,
      NasContext nas,
      Inet4Address framedAddress,
      List<byte[]> classes,
      Instant started) {
    public Session {
      classes = List.copyOf(classes);
    }
  }

  private final RadiusClient client;
  private final Executor executor;
  private final LongAdder failures = new LongAdder();

  public RadiusAccounting(RadiusClient client, Executor executor) {
    this.client = client;
    this.executor = executor;
  }

  public CompletableFuture<Boolean> start(Session session) {
    return send(session, Status.START, 0, 0, null);
  }

  public CompletableFuture<Boolean> interim(Session session, long bytesIn, long bytesOut) {
    return send(session, Status.INTERIM_UPDATE, bytesIn, bytesOut, null);
  }

  public CompletableFuture<Boolean> stop(
      Session session, long bytesIn, long bytesOut, TerminateCause cause) {
    return send(session, Status.STOP, bytesIn, bytesOut, cause);
  }

  /** Accounting records no server acknowledged. */
  public long failures() {
    return failures.sum();
  }

  /** The attributes of one Accounting-Request (public for tests and the benchmark). */
  public static List<RadiusAttribute> attributes(
      Session session, Status status, long bytesIn, long bytesOut, TerminateCause cause,
      Instant now) {
    List<RadiusAttribute> a = new ArrayList<>();
    a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_STATUS_TYPE, status.value));
    a.add(RadiusAttribute.string(RadiusAttributeType.USER_NAME, session.userName()));
    a.addAll(session.nas().attributes());
    a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_AUTHENTIC, 1));
    if (session.framedAddress() != null) {
      a.add(new RadiusAttribute(RadiusAttributeType.FRAMED_IP_ADDRESS,
          session.framedAddress().getAddress()));
    }
    for (byte[] c : session.classes()) {
      a.add(new RadiusAttribute(RadiusAttributeType.CLASS, c));
    }
    a.add(RadiusAttribute.integer(RadiusAttributeType.EVENT_TIMESTAMP, now.getEpochSecond()));
    if (status != Status.START) {
      // "in" is what the gateway received from the client: the client's output is our input
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_INPUT_OCTETS, bytesIn & 0xffffffffL));
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_INPUT_GIGAWORDS, bytesIn >>> 32));
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_OUTPUT_OCTETS,
          bytesOut & 0xffffffffL));
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_OUTPUT_GIGAWORDS, bytesOut >>> 32));
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_SESSION_TIME,
          Math.max(0, Duration.between(session.started(), now).toSeconds())));
    }
    if (cause != null) {
      a.add(RadiusAttribute.integer(RadiusAttributeType.ACCT_TERMINATE_CAUSE, cause.value));
    }
    return a;
  }

  private CompletableFuture<Boolean> send(
      Session session, Status status, long bytesIn, long bytesOut, TerminateCause cause) {
    List<RadiusAttribute> attrs = attributes(session, status, bytesIn, bytesOut, cause,
        Instant.now());
    return CompletableFuture.supplyAsync(() -> {
      try {
        client.accounting(attrs);
        return true;
      } catch (RadiusException e) {
        failures.increment();
        LOG.log(System.Logger.Level.WARNING, "RADIUS accounting {0} for session {1} lost: {2}",
            status, session.nas().sessionId(), e.getMessage());
        return false;
      }
    }, executor);
  }
}
