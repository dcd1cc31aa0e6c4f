package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.crypto.RadiusCrypto;
import io.vpngateway.gateway.auth.radius.crypto.RadiusCrypto.MessageAuthenticatorCheck;
import io.vpngateway.gateway.auth.radius.message.MalformedRadiusPacketException;
import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import io.vpngateway.gateway.config.SecretBytes;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway's RADIUS client (RFC 2865, RFC 2866 accounting, RFC 3579 EAP): sends one request to
 * the servers in priority order until one gives a valid answer.
 *
 * <p>Per server: up to {@code 1 + retries} transmissions of the same packet (same Identifier and
 * Request Authenticator, RFC 5080 section 2.2.1), each waiting the server's timeout; then the next
 * server with a fresh packet. A reply counts only when it comes from the server's address and port,
 * carries the request's Identifier, its Response Authenticator checks with the shared secret, and
 * its Message-Authenticator checks (when present, and it must be present on EAP replies or when the
 * settings require it). Anything else is dropped, counted in {@link RadiusServerHealth}, and the
 * wait goes on: a forged or corrupt datagram cannot end an exchange early.
 *
 * <p>Blocking: callers run it off their protocol threads (see {@link RadiusPasswordAuthenticator}
 * and the EAP relay, which use an executor). Each exchange has its own ephemeral UDP socket, so
 * Identifiers never run out and a late reply of an abandoned exchange cannot be matched to another.
 */
public final class RadiusClient {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final System.Logger LOG = System.getLogger(RadiusClient.class.getName());

  private final Supplier<RadiusSettings> settings;
  private final RadiusServerHealth health;
  private final java.util.concurrent.atomic.LongAdder serverNanos =
      new java.util.concurrent.atomic.LongAdder();

  /** Builds a request's attributes once the server's secret and Request Authenticator are known. */
  @FunctionalInterface
  public interface AttributesBuilder {
    /**
     * @param secret the shared secret of the server this packet goes to (do not keep it)
     * @param requestAuthenticator the packet's Request Authenticator (User-Password hiding and
     *     MS-CHAP depend on it)
     */
    List<RadiusAttribute> build(byte[] secret, byte[] requestAuthenticator);
  }

  public RadiusClient(Supplier<RadiusSettings> settings, RadiusServerHealth health) {
    this.settings = settings;
    this.health = health;
  }

  public RadiusServerHealth health() {
    return health;
  }

  /**
   * Time spent waiting for servers over every exchange so far: an authentication's time minus
   * its share of this is what the gateway itself added (the benchmark's figure).
   */
  public long serverNanosTotal() {
    return serverNanos.sum();
  }

  /** The running settings; RadiusException when a reload turned RADIUS off meanwhile. */
  public RadiusSettings settings() throws RadiusException {
    RadiusSettings s = settings.get();
    if (s == null) {
      throw new RadiusException(RadiusException.UNAVAILABLE,
          "RADIUS authentication is off in the running config");
    }
    return s;
  }

  /**
   * Sends an Access-Request. With {@code pinned} only that server is asked (a reply to a challenge
   * or the next round of an EAP conversation, whose State only that server knows).
   *
   * @param eap the request carries EAP-Message: a Message-Authenticator is sent and required back
   */
  public RadiusResponse access(AttributesBuilder builder, boolean eap, RadiusServerEndpoint pinned)
      throws RadiusException {
    RadiusSettings s = settings();
    boolean requireMa = eap || s.requireMessageAuthenticator();
    List<RadiusServerEndpoint> order = pinned != null ? List.of(pinned) : health.order(s.servers());
    return exchange(order, s.retries(), RadiusCode.ACCESS_REQUEST, builder, requireMa);
  }

  /** Sends an Accounting-Request (RFC 2866) to the accounting port, servers by priority. */
  public RadiusResponse accounting(List<RadiusAttribute> attributes) throws RadiusException {
    RadiusSettings s = settings();
    return exchange(
        health.order(s.servers()),
        s.retries(),
        RadiusCode.ACCOUNTING_REQUEST,
        (secret, ra) -> attributes,
        false);
  }

  /**
   * RFC 5997 Status-Server to {@code server}'s authentication port, one transmission, waiting
   * the server's timeout: true when it answered with a valid Access-Accept (Response
   * Authenticator and, if present, Message-Authenticator checked; the request always carries
   * one, section 3). Counted as result {@code status}; the caller decides what an unanswered
   * probe means (see {@link RadiusStatusProbe}).
   */
  public boolean statusServer(RadiusServerEndpoint server) {
    String nas = settings.get() == null ? "vpngw" : settings.get().nasIdentifier();
    Attempt a = attempt(server, 0, RadiusCode.STATUS_SERVER,
        (secret, ra) -> List.of(
            RadiusAttribute.string(RadiusAttributeType.NAS_IDENTIFIER, nas)),
        false);
    return a.response != null && a.response.packet().code() == RadiusCode.ACCESS_ACCEPT;
  }

  private RadiusResponse exchange(
      List<RadiusServerEndpoint> servers,
      int retries,
      RadiusCode code,
      AttributesBuilder builder,
      boolean requireMa)
      throws RadiusException {
    List<String> failures = new ArrayList<>();
    long waited = 0;
    for (RadiusServerEndpoint server : servers) {
      Attempt a = attempt(server, retries, code, builder, requireMa);
      waited += a.waitedNanos;
      serverNanos.add(a.waitedNanos);
      if (a.response != null) {
        return new RadiusResponse(
            a.response.packet(), server, a.response.mppeKeys(), waited);
      }
      health.failed(server, a.error);
      failures.add(server.label() + ": " + a.error);
      LOG.log(System.Logger.Level.WARNING, "RADIUS server {0}: {1}", server.label(), a.error);
    }
    throw new RadiusException(
        RadiusException.UNAVAILABLE, "no RADIUS server answered (" + String.join("; ", failures)
            + ")");
  }

  private record Attempt(RadiusResponse response, String error, long waitedNanos) {}

  private Attempt attempt(
      RadiusServerEndpoint server,
      int retries,
      RadiusCode code,
      AttributesBuilder builder,
      boolean requireMa) {
    byte[] secret = server.secret().bytes();
    long waited = 0;
    try (DatagramSocket socket = new DatagramSocket()) {
      InetAddress address;
      try {
        address = InetAddress.getByName(server.host());
      } catch (UnknownHostException e) {
        return new Attempt(null, "cannot resolve " + server.host(), 0);
      }
      int port = code == RadiusCode.ACCOUNTING_REQUEST ? server.accountingPort() : server.authPort();
      socket.connect(address, port);
      RadiusPacket request = build(code, builder, secret);
      byte[] wire = request.encode();
      int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, server.timeout().toMillis()));
      DropTally drops = new DropTally();
      byte[] buffer = new byte[RadiusPacket.MAX_LENGTH];
      for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) {
          health.retransmitted(server);
        }
        socket.send(new DatagramPacket(wire, wire.length));
        long sent = System.nanoTime();
        long deadline = sent + server.timeout().toNanos();
        try {
          while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(timeoutMillis, left / 1_000_000)));
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            try {
              socket.receive(in);
            } catch (SocketTimeoutException e) {
              continue;
            }
            Optional<RadiusResponse> ok =
                verify(server, request, buffer, in.getLength(), secret, requireMa, drops);
            if (ok.isPresent()) {
              waited += System.nanoTime() - sent;
              RadiusResponse r = ok.get();
              health.answered(server,
                  code == RadiusCode.STATUS_SERVER ? "status" : result(r.packet().code()));
              return new Attempt(r, null, waited);
            }
          }
        } catch (PortUnreachableException e) {
          waited += System.nanoTime() - sent;
          return new Attempt(null, "port " + port + " unreachable", waited);
        }
        waited += System.nanoTime() - sent;
      }
      return new Attempt(null, drops.explain(1 + retries, server), waited);
    } catch (IOException e) {
      return new Attempt(null, "I/O error: " + e.getMessage(), waited);
    } finally {
      SecretBytes.wipe(secret);
    }
  }

  private static RadiusPacket build(RadiusCode code, AttributesBuilder builder, byte[] secret) {
    int identifier = RANDOM.nextInt(256);
    if (code == RadiusCode.ACCOUNTING_REQUEST) {
      RadiusPacket p =
          new RadiusPacket(code, identifier, new byte[16], builder.build(secret, new byte[16]));
      return RadiusCrypto.signAccountingRequest(p, secret);
    }
    byte[] ra = RadiusCrypto.randomAuthenticator();
    RadiusPacket p = new RadiusPacket(code, identifier, ra, builder.build(secret, ra));
    // every Access-Request carries a Message-Authenticator, EAP or not: servers hardened against
    // BlastRADIUS (CVE-2024-3596) may insist on it, and it costs one HMAC
    return RadiusCrypto.signAccessRequest(p, secret, true);
  }

  private Optional<RadiusResponse> verify(
      RadiusServerEndpoint server,
      RadiusPacket request,
      byte[] data,
      int length,
      byte[] secret,
      boolean requireMa,
      DropTally drops) {
    RadiusPacket reply;
    try {
      reply = RadiusPacket.decode(data, length);
    } catch (MalformedRadiusPacketException e) {
      drops.drop(server, health, "Malformed");
      return Optional.empty();
    }
    if (reply.identifier() != request.identifier()) {
      drops.drop(server, health, "WrongIdentifier");
      return Optional.empty();
    }
    boolean expected =
        request.code() == RadiusCode.ACCOUNTING_REQUEST
            ? reply.code() == RadiusCode.ACCOUNTING_RESPONSE
            : reply.code() == RadiusCode.ACCESS_ACCEPT
                || reply.code() == RadiusCode.ACCESS_REJECT
                || reply.code() == RadiusCode.ACCESS_CHALLENGE;
    if (!expected) {
      drops.drop(server, health, "UnexpectedCode");
      return Optional.empty();
    }
    byte[] ra = request.authenticator();
    if (!RadiusCrypto.responseAuthenticatorValid(reply, ra, secret)) {
      drops.drop(server, health, "BadAuthenticator");
      return Optional.empty();
    }
    MessageAuthenticatorCheck ma = RadiusCrypto.checkMessageAuthenticator(reply, ra, secret);
    if (ma == MessageAuthenticatorCheck.INVALID) {
      drops.drop(server, health, "BadMessageAuthenticator");
      return Optional.empty();
    }
    if (ma == MessageAuthenticatorCheck.ABSENT
        && requireMa
        && reply.code() != RadiusCode.ACCOUNTING_RESPONSE) {
      drops.drop(server, health, "MissingMessageAuthenticator");
      return Optional.empty();
    }
    return Optional.of(new RadiusResponse(reply, server, mppeKeys(reply, ra, secret, server), 0));
  }

  private static Optional<MppeKeys> mppeKeys(
      RadiusPacket reply, byte[] ra, byte[] secret, RadiusServerEndpoint server) {
    List<byte[]> send =
        reply.vendorAttributes(
            RadiusAttributeType.VENDOR_MICROSOFT, RadiusAttributeType.MS_MPPE_SEND_KEY);
    List<byte[]> recv =
        reply.vendorAttributes(
            RadiusAttributeType.VENDOR_MICROSOFT, RadiusAttributeType.MS_MPPE_RECV_KEY);
    if (send.size() != 1 || recv.size() != 1) {
      return Optional.empty();
    }
    try {
      byte[] s = RadiusCrypto.decryptMppeKey(send.get(0), secret, ra);
      byte[] r = RadiusCrypto.decryptMppeKey(recv.get(0), secret, ra);
      MppeKeys keys = new MppeKeys(s, r);
      SecretBytes.wipe(s);
      SecretBytes.wipe(r);
      return Optional.of(keys);
    } catch (GeneralSecurityException e) {
      LOG.log(System.Logger.Level.WARNING, "RADIUS server {0}: MPPE keys unreadable: {1}",
          server.label(), e.getMessage());
      return Optional.empty();
    }
  }

  private static String result(RadiusCode code) {
    return switch (code) {
      case ACCESS_ACCEPT -> "accept";
      case ACCESS_REJECT -> "reject";
      case ACCESS_CHALLENGE -> "challenge";
      case ACCOUNTING_RESPONSE -> "accounting";
      default -> "other";
    };
  }

  /** Replies dropped during one attempt, to say why a server "did not answer". */
  private static final class DropTally {
    private int badAuthenticator;
    private int other;

    void drop(RadiusServerEndpoint server, RadiusServerHealth health, String reason) {
      health.dropped(server, reason);
      if (reason.equals("BadAuthenticator") || reason.equals("BadMessageAuthenticator")) {
        badAuthenticator++;
      } else {
        other++;
      }
    }

    String explain(int sends, RadiusServerEndpoint server) {
      String base = "no valid reply to " + sends + " transmission(s), " + server.timeout().toMillis()
          + " ms each";
      if (badAuthenticator > 0) {
        return base + "; " + badAuthenticator
            + " reply(ies) dropped with a bad authenticator: wrong shared secret?";
      }
      if (other > 0) {
        return base + "; " + other + " malformed or unexpected reply(ies) dropped";
      }
      // a server silently drops a request whose Message-Authenticator fails its secret, so a
      // wrong secret looks like a dead server from here: say both
      return base + " (server down or unreachable, or it does not accept this gateway as a client"
          + " with this shared secret)";
    }
  }
}
