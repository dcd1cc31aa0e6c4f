package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.crypto.MppeKeys;
import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.ChapPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.BiConsumer;

/**
 * The MS-CHAPv2 authenticator (RFC 2759): one Challenge, the peer's Response checked by the
 * {@link MsChapV2Verifier}, then Success with the authenticator response or Failure with error
 * 691 and no retry (section 6). A retransmitted Response after the verdict gets the same verdict
 * again without a second check.
 *
 * <pre>
 *   start ─▶ CHALLENGE_SENT ──Response──▶ verify ──▶ SUCCEEDED (Success sent) ─▶ network phase
 *                 │  TO (10x)                    └──▶ FAILED (Failure sent) ─▶ LCP Terminate
 *                 └──────────────▶ FAILED
 * </pre>
 */
final class MsChapV2StateMachine implements PppAuthStateMachine {
  static final int MAX_CHALLENGES = 10;
  private static final String SERVER_NAME = "vpngw";

  private enum State {
    CHALLENGE_SENT,
    SUCCEEDED,
    FAILED
  }

  private final MsChapV2Verifier verifier;
  private final InetSocketAddress client;
  private final SecureRandom random;
  private final BiConsumer<Integer, byte[]> sender;
  private final byte[] challenge = new byte[16];
  private State state = State.CHALLENGE_SENT;
  private int identifier;
  private int challengesSent;
  private byte[] verdictPacket;
  private AuthResult result;

  MsChapV2StateMachine(
      MsChapV2Verifier verifier,
      InetSocketAddress client,
      SecureRandom random,
      BiConsumer<Integer, byte[]> sender) {
    this.verifier = verifier;
    this.client = client;
    this.random = random;
    this.sender = sender;
  }

  @Override
  public AuthResult start() {
    random.nextBytes(challenge);
    identifier = random.nextInt(256);
    sendChallenge();
    return null;
  }

  @Override
  public AuthResult timeout() {
    if (state != State.CHALLENGE_SENT) {
      return null;
    }
    if (challengesSent >= MAX_CHALLENGES) {
      return fail("no MS-CHAPv2 Response to " + MAX_CHALLENGES + " Challenges");
    }
    sendChallenge();
    return null;
  }

  @Override
  public boolean awaitingAnswer() {
    return state == State.CHALLENGE_SENT;
  }

  @Override
  public AuthResult receive(int protocol, byte[] buf, int offset, int length)
      throws MalformedPppException {
    if (protocol != PppProtocol.CHAP) {
      return null;
    }
    ChapPacket p = ChapPacket.parse(buf, offset, length);
    if (p.code() != ChapPacket.RESPONSE || p.identifier() != identifier) {
      return null; // RFC 1994 section 4.1: responses to other challenges are silently discarded
    }
    if (state != State.CHALLENGE_SENT) {
      sender.accept(PppProtocol.CHAP, verdictPacket); // the peer lost our verdict
      return null;
    }
    if (p.value().length != ChapPacket.MSCHAPV2_RESPONSE_LENGTH) {
      throw new MalformedPppException("MS-CHAPv2 Response value of " + p.value().length);
    }
    byte[] v = p.value();
    MsChapV2Verifier.Outcome outcome =
        verifier.verify(
            new MsChapV2Verifier.Attempt(
                p.text(),
                challenge.clone(),
                Arrays.copyOfRange(v, 0, 16),
                Arrays.copyOfRange(v, 24, 48),
                client));
    if (outcome instanceof MsChapV2Verifier.Accepted a) {
      state = State.SUCCEEDED;
      verdictPacket =
          ChapPacket.message(
                  ChapPacket.SUCCESS, identifier, a.authenticatorResponse() + " M=Welcome")
              .encode();
      sender.accept(PppProtocol.CHAP, verdictPacket);
      MppeKeys keys = new MppeKeys(a.sendKey(), a.receiveKey());
      Arrays.fill(a.sendKey(), (byte) 0);
      Arrays.fill(a.receiveKey(), (byte) 0);
      result = AuthResult.success(a.identity(), io.vpngateway.gateway.sstp.crypto.SstpHlak
          .fromMsChapV2(keys));
      keys.wipe();
      return result;
    }
    String reason = ((MsChapV2Verifier.Rejected) outcome).reason();
    verdictPacket =
        ChapPacket.message(
                ChapPacket.FAILURE,
                identifier,
                "E=691 R=0 C="
                    + HexFormat.of().withUpperCase().formatHex(challenge)
                    + " V=3 M=Authentication failed")
            .encode();
    sender.accept(PppProtocol.CHAP, verdictPacket);
    return fail("MS-CHAPv2 refused " + userLabel(p.name()) + ": " + reason);
  }

  private AuthResult fail(String reason) {
    state = State.FAILED;
    result = AuthResult.failure(reason);
    return result;
  }

  private void sendChallenge() {
    challengesSent++;
    sender.accept(
        PppProtocol.CHAP, ChapPacket.challenge(identifier, challenge, SERVER_NAME).encode());
  }

  /** The user name for a log line: printable ASCII only, cut at 64 characters. */
  static String userLabel(byte[] name) {
    String s = new String(name, StandardCharsets.UTF_8).replaceAll("[^\\x20-\\x7e]", "?");
    return "'" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "'";
  }
}
