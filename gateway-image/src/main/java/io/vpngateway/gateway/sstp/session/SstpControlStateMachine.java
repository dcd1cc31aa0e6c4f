package io.vpngateway.gateway.sstp.session;

import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import io.vpngateway.gateway.sstp.message.SstpAttribute;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpCryptoBinding;
import io.vpngateway.gateway.sstp.message.SstpCryptoBindingRequest;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import io.vpngateway.gateway.sstp.message.SstpStatus;
import java.security.SecureRandom;
import java.util.function.Consumer;

/**
 * The server's SSTP control state machine after the HTTP exchange (MS-SSTP section 3.3.1 states,
 * 3.3.5.2 message processing). PPP authentication is another layer: it hands its HLAK in through
 * {@link #innerAuthenticationCompleted} (section 3.3.7.2 Inner Authentication Completed event).
 *
 * <pre>
 *   CONNECT_REQUEST_PENDING ──Call Connect Request (PPP)──▶ sends Ack + Crypto Binding Request
 *        │  (other protocol: Nak, at most 3 times)               │ START_PPP
 *        ▼                                                       ▼
 *                                                  CALL_CONNECTED_PENDING ──Call Connected──▶
 *     binding valid (nonce, certificate hash, Compound MAC over the HLAK) ──▶ CALL_CONNECTED
 *     binding invalid, or before PPP authenticated ────────────────────────▶ ABORTED (Call Abort)
 *
 *   any state: Call Abort ─▶ ABORTED;  Call Disconnect ─▶ sends Disconnect Ack ─▶ DISCONNECTED
 *   CALL_CONNECTED: Echo Request ─▶ Echo Response;  a message out of place ─▶ ABORTED
 * </pre>
 *
 * Pure: no I/O, no clock. Messages to send go to the consumer given at construction; each call
 * returns what changed for the layer above.
 */
public final class SstpControlStateMachine {
  /** Hash protocols offered in the Crypto Binding Request: SHA-1 and SHA-256. */
  static final int OFFERED_HASH_PROTOCOLS = 0x03;
  static final int MAX_NAKS = 3;

  public enum State {
    CONNECT_REQUEST_PENDING,
    CALL_CONNECTED_PENDING,
    CALL_CONNECTED,
    DISCONNECT_ACK_PENDING,
    ABORTED,
    DISCONNECTED
  }

  /** What a call changed for the connection. */
  public enum Event {
    NONE,
    /** Call Connect acknowledged: start PPP now. */
    START_PPP,
    /** Call Connected with a valid binding: the tunnel carries data. */
    CONNECTED,
    /** Call Abort sent or received: close after it is written. */
    ABORTED,
    /** Disconnect completed (either side): close. */
    DISCONNECTED
  }

  private final SstpCryptoBindingCheck bindingCheck;
  private final Consumer<SstpControlMessage> out;
  private final byte[] nonce = new byte[SstpCryptoBindingRequest.NONCE_LENGTH];
  private State state = State.CONNECT_REQUEST_PENDING;
  private byte[] hlak;
  private byte[] alternateHlak;
  private int naks;
  private String abortReason;
  private SstpCryptoBindingCheck.Failure bindingFailure;

  public SstpControlStateMachine(
      SstpCryptoBindingCheck bindingCheck, SecureRandom random, Consumer<SstpControlMessage> out) {
    this.bindingCheck = bindingCheck;
    this.out = out;
    random.nextBytes(nonce);
  }

  public State state() {
    return state;
  }

  /** Why the call was aborted (for the log), or null. */
  public String abortReason() {
    return abortReason;
  }

  /** The binding check that failed, or null. */
  public SstpCryptoBindingCheck.Failure bindingFailure() {
    return bindingFailure;
  }

  /** Whether PPP frames may be exchanged (section 3.3.5.1: control frames from the Ack on). */
  public boolean pppAllowed() {
    return state == State.CALL_CONNECTED_PENDING || state == State.CALL_CONNECTED;
  }

  public boolean connected() {
    return state == State.CALL_CONNECTED;
  }

  public boolean finished() {
    return state == State.ABORTED || state == State.DISCONNECTED;
  }

  /** Inner Authentication Completed: PPP authentication produced {@code hlak} (32 octets). */
  public void innerAuthenticationCompleted(byte[] hlak) {
    innerAuthenticationCompleted(hlak, null);
  }

  /**
   * As {@link #innerAuthenticationCompleted(byte[])}, with a second HLAK derived from the same
   * keys that a binding may also use (EAP with sstpc: see {@code EapRelayStateMachine}).
   */
  public void innerAuthenticationCompleted(byte[] hlak, byte[] alternate) {
    this.hlak = hlak.clone();
    this.alternateHlak = alternate == null ? null : alternate.clone();
  }

  /**
   * Handles one control packet ({@code packet}: all of it as received, for the Compound MAC).
   */
  public Event receive(byte[] packet) {
    if (finished()) {
      return Event.NONE;
    }
    SstpControlMessage m;
    try {
      m = SstpControlMessage.decode(packet);
    } catch (MalformedSstpException e) {
      return abort(SstpStatus.INVALID_FRAME_RECEIVED, e.getMessage());
    }
    switch (m.type()) {
      case CALL_ABORT -> {
        state = State.ABORTED;
        abortReason = "the client aborted the call";
        return Event.ABORTED;
      }
      case CALL_DISCONNECT -> {
        out.accept(SstpControlMessage.of(SstpMessageType.CALL_DISCONNECT_ACK));
        state = State.DISCONNECTED;
        return Event.DISCONNECTED;
      }
      case CALL_DISCONNECT_ACK -> {
        if (state == State.DISCONNECT_ACK_PENDING) {
          state = State.DISCONNECTED;
          return Event.DISCONNECTED;
        }
        return abort(SstpStatus.UNACCEPTED_FRAME_RECEIVED, "unexpected Call Disconnect Ack");
      }
      case ECHO_REQUEST -> {
        out.accept(SstpControlMessage.of(SstpMessageType.ECHO_RESPONSE));
        return Event.NONE;
      }
      case ECHO_RESPONSE -> {
        return Event.NONE;
      }
      case CALL_CONNECT_REQUEST -> {
        return connectRequest(m);
      }
      case CALL_CONNECTED -> {
        return callConnected(m, packet);
      }
      default -> {
        // a server-to-client message (Ack, Nak) from the client
        return abort(SstpStatus.UNACCEPTED_FRAME_RECEIVED, "client sent " + m.type());
      }
    }
  }

  private Event connectRequest(SstpControlMessage m) {
    if (state != State.CONNECT_REQUEST_PENDING) {
      return abort(SstpStatus.UNACCEPTED_FRAME_RECEIVED, "a second Call Connect Request");
    }
    SstpAttribute protocol = m.attribute(SstpAttribute.ENCAPSULATED_PROTOCOL_ID);
    if (protocol == null) {
      return abort(SstpStatus.REQUIRED_ATTRIBUTE_MISSING, "Call Connect Request without protocol");
    }
    byte[] v = protocol.value();
    if (v.length != 2 || v[0] != 0 || v[1] != SstpAttribute.PROTOCOL_PPP) {
      if (++naks > MAX_NAKS) {
        return abort(SstpStatus.RETRY_COUNT_EXCEEDED, "no supported protocol after " + MAX_NAKS);
      }
      out.accept(
          SstpControlMessage.of(
              SstpMessageType.CALL_CONNECT_NAK,
              SstpAttribute.statusInfo(
                  SstpAttribute.ENCAPSULATED_PROTOCOL_ID, SstpStatus.VALUE_NOT_SUPPORTED, v),
              SstpAttribute.encapsulatedPpp()));
      return Event.NONE;
    }
    out.accept(
        SstpControlMessage.of(
            SstpMessageType.CALL_CONNECT_ACK,
            new SstpCryptoBindingRequest(OFFERED_HASH_PROTOCOLS, nonce).toAttribute()));
    state = State.CALL_CONNECTED_PENDING;
    return Event.START_PPP;
  }

  private Event callConnected(SstpControlMessage m, byte[] packet) {
    if (state != State.CALL_CONNECTED_PENDING) {
      return abort(SstpStatus.UNACCEPTED_FRAME_RECEIVED, "Call Connected out of place");
    }
    if (hlak == null) {
      return abort(
          SstpStatus.UNACCEPTED_FRAME_RECEIVED, "Call Connected before PPP authentication");
    }
    SstpAttribute a = m.attribute(SstpAttribute.CRYPTO_BINDING);
    if (a == null) {
      return abort(SstpStatus.REQUIRED_ATTRIBUTE_MISSING, "Call Connected without crypto binding");
    }
    SstpCryptoBinding binding;
    try {
      binding = SstpCryptoBinding.decode(a);
    } catch (MalformedSstpException e) {
      return abort(SstpStatus.INVALID_FRAME_RECEIVED, e.getMessage());
    }
    SstpCryptoBindingCheck.Failure failure =
        bindingCheck.check(binding, packet, OFFERED_HASH_PROTOCOLS, nonce, hlak);
    if (failure == SstpCryptoBindingCheck.Failure.COMPOUND_MAC_MISMATCH && alternateHlak != null
        && bindingCheck.check(binding, packet, OFFERED_HASH_PROTOCOLS, nonce, alternateHlak)
            == null) {
      failure = null;
    }
    if (failure != null) {
      bindingFailure = failure;
      return abort(SstpStatus.INVALID_FRAME_RECEIVED, "crypto binding refused: " + failure);
    }
    java.util.Arrays.fill(hlak, (byte) 0);
    if (alternateHlak != null) {
      java.util.Arrays.fill(alternateHlak, (byte) 0);
    }
    state = State.CALL_CONNECTED;
    return Event.CONNECTED;
  }

  /** Aborts the call (section 3.3.5.2.5 / 3.3.7.x): sends Call Abort with {@code status}. */
  public Event abort(SstpStatus status, String reason) {
    if (finished()) {
      return Event.NONE;
    }
    out.accept(
        SstpControlMessage.of(
            SstpMessageType.CALL_ABORT,
            SstpAttribute.statusInfo(0, status, new byte[0])));
    state = State.ABORTED;
    abortReason = reason;
    return Event.ABORTED;
  }

  /** Starts a disconnect from the server side (section 3.3.7.x Disconnect Tunnel event). */
  public void disconnect() {
    if (finished() || state == State.DISCONNECT_ACK_PENDING) {
      return;
    }
    out.accept(
        SstpControlMessage.of(
            SstpMessageType.CALL_DISCONNECT,
            SstpAttribute.statusInfo(0, SstpStatus.NO_ERROR, new byte[0])));
    state = State.DISCONNECT_ACK_PENDING;
  }

  /** Sends an Echo Request (hello timer, section 3.3.2). */
  public void echoRequest() {
    if (!finished()) {
      out.accept(SstpControlMessage.of(SstpMessageType.ECHO_REQUEST));
    }
  }
}
