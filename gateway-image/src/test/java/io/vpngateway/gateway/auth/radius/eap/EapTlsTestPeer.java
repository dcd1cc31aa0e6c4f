package io.vpngateway.gateway.auth.radius.eap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * An EAP-TLS peer (RFC 5216 section 2) on a JDK {@link SSLEngine} (TLS 1.2, client certificate):
 * answers the server's Start, reassembles the server's fragments (acknowledging each with an empty
 * Response), fragments its own flights at {@value #FRAGMENT} octets (waiting for the server's empty
 * Request between fragments), and acknowledges the server's last flight.
 */
public final class EapTlsTestPeer {
  static final int FRAGMENT = 900;
  private static final int FLAG_LENGTH = 0x80;
  private static final int FLAG_MORE = 0x40;
  private static final int FLAG_START = 0x20;

  private final SSLEngine engine;
  private final ByteArrayOutputStream inbound = new ByteArrayOutputStream();
  private byte[] outbound = new byte[0];
  private int outOffset;

  public EapTlsTestPeer(SSLContext context) {
    engine = context.createSSLEngine();
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {"TLSv1.2"});
  }

  boolean handshakeDone() {
    return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
        && engine.getSession().isValid() && outOffset >= outbound.length
        && engine.getSession().getProtocol().startsWith("TLS");
  }

  /** The peer's TLS session (for the keys it exports). */
  public javax.net.ssl.SSLSession session() {
    return engine.getSession();
  }

  public byte[] respond(byte[] request) throws SSLException {
    if (EapPacket.type(request).orElse(-1) != EapPacket.TYPE_TLS) {
      throw new AssertionError("expected EAP-TLS, got type " + EapPacket.type(request));
    }
    int id = EapPacket.identifier(request);
    int flags = request[5] & 0xff;
    int offset = 6 + ((flags & FLAG_LENGTH) != 0 ? 4 : 0);
    byte[] payload = Arrays.copyOfRange(request, offset, request.length);
    if ((flags & FLAG_START) != 0) {
      engine.beginHandshake();
      outbound = drive(ByteBuffer.allocate(0));
      outOffset = 0;
      return nextFragment(id);
    }
    if (payload.length == 0 && outOffset < outbound.length) {
      return nextFragment(id); // the server acknowledged our previous fragment
    }
    inbound.writeBytes(payload);
    if ((flags & FLAG_MORE) != 0) {
      return tls(id, 0, new byte[0]); // acknowledge a fragment of the server's flight
    }
    byte[] flight = inbound.toByteArray();
    inbound.reset();
    outbound = drive(ByteBuffer.wrap(flight));
    outOffset = 0;
    return nextFragment(id);
  }

  private byte[] nextFragment(int id) {
    int left = outbound.length - outOffset;
    if (left <= 0) {
      return tls(id, 0, new byte[0]);
    }
    int n = Math.min(FRAGMENT, left);
    boolean first = outOffset == 0;
    boolean more = n < left;
    byte[] chunk = Arrays.copyOfRange(outbound, outOffset, outOffset + n);
    outOffset += n;
    int flags = (more ? FLAG_MORE : 0) | (first && more ? FLAG_LENGTH : 0);
    return tls(id, flags, chunk, outbound.length);
  }

  private static byte[] tls(int id, int flags, byte[] data) {
    return tls(id, flags, data, data.length);
  }

  private static byte[] tls(int id, int flags, byte[] data, int total) {
    int header = 6 + ((flags & FLAG_LENGTH) != 0 ? 4 : 0);
    ByteBuffer b = ByteBuffer.allocate(header + data.length);
    b.put((byte) EapPacket.RESPONSE).put((byte) id).putShort((short) (header + data.length))
        .put((byte) EapPacket.TYPE_TLS).put((byte) flags);
    if ((flags & FLAG_LENGTH) != 0) {
      b.putInt(total);
    }
    b.put(data);
    return b.array();
  }

  /** Feeds the server's flight to the engine and collects everything it wants to send. */
  private byte[] drive(ByteBuffer in) throws SSLException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
      } else if (hs == HandshakeStatus.NEED_WRAP) {
        net.clear();
        SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), net);
        net.flip();
        out.write(net.array(), 0, net.limit());
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          break;
        }
      } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
        if (!in.hasRemaining() && hs == HandshakeStatus.NEED_UNWRAP) {
          break;
        }
        app.clear();
        SSLEngineResult r = engine.unwrap(in, app);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
          break;
        }
      } else {
        break;
      }
    }
    return out.toByteArray();
  }
}
