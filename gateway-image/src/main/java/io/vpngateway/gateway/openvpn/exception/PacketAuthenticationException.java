package io.vpngateway.gateway.openvpn.exception;

/**
 * A packet failed its integrity check (tls-crypt HMAC, AEAD tag, WKc) or was a replay. It is
 * dropped silently: answering would help an attacker probe the key. The two are counted apart
 * ({@code AuthenticationFailed}, {@code Replay}): a replay is a packet that did authenticate once
 * (a duplicate, a reordered packet beyond the window, or an attacker replaying capture); a failed
 * tag is a wrong key or a forgery.
 */
public final class PacketAuthenticationException extends OpenVpnException {
  private final boolean replay;

  public PacketAuthenticationException(String message) {
    this(message, false);
  }

  private PacketAuthenticationException(String message, boolean replay) {
    super(message);
    this.replay = replay;
  }

  /** A packet id the replay window refuses (seen before, or older than the window). */
  public static PacketAuthenticationException replay(String message) {
    return new PacketAuthenticationException(message, true);
  }

  public boolean isReplay() {
    return replay;
  }
}
