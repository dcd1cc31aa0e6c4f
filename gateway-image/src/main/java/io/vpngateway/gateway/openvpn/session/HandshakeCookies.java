package io.vpngateway.gateway.openvpn.session;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless handshake cookies, the scheme of openvpn 2.6's server ({@code ssl_pkt.c:
 * calculate_session_id_hmac}): the server answers a client's hard reset without keeping any
 * state, using as its own session id an HMAC over the client's address, port and session id and
 * a 30 s time slot. Only when the client's next packet echoes that session id (and acks our
 * reset) from the same address is a session, and with it a TLS engine, created. A spoofed source
 * never sees the cookie, so it cannot make the server hold state.
 */
public final class HandshakeCookies {
  private static final long SLOT_SECONDS = 30;
  private final SecretKeySpec key;

  public HandshakeCookies(SecureRandom random) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    key = new SecretKeySpec(secret, "HmacSHA256");
  }

  /** The server session id to put in the stateless reset. */
  public long cookie(InetSocketAddress client, long clientSessionId, long nowSeconds) {
    return compute(client, clientSessionId, nowSeconds / SLOT_SECONDS);
  }

  /** Whether {@code echoed} is the cookie for this client in the current or previous slot. */
  public boolean verify(InetSocketAddress client, long clientSessionId, long echoed,
      long nowSeconds) {
    long slot = nowSeconds / SLOT_SECONDS;
    byte[] e = ByteBuffer.allocate(8).putLong(echoed).array();
    boolean ok = false;
    for (long s = slot - 1; s <= slot; s++) {
      byte[] c = ByteBuffer.allocate(8).putLong(compute(client, clientSessionId, s)).array();
      ok |= MessageDigest.isEqual(c, e);
    }
    return ok;
  }

  private long compute(InetSocketAddress client, long clientSessionId, long slot) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(client.getAddress().getAddress());
      mac.update(ByteBuffer.allocate(20).putInt(client.getPort()).putLong(clientSessionId)
          .putLong(slot).array());
      return ByteBuffer.wrap(mac.doFinal()).getLong();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks HMAC-SHA256", e);
    }
  }
}
