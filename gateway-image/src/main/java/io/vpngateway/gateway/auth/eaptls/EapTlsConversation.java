package io.vpngateway.gateway.auth.eaptls;

import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.eap.EapPacket;
import io.vpngateway.gateway.config.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One EAP-TLS server exchange (RFC 5216) on a JDK {@link SSLEngine}: EAP-Request/Identity (unless
 * the protocol already knows the identity), EAP-TLS Start, the TLS 1.2 handshake carried in
 * EAP-TLS messages with the L/M/S flags of §3.1 (our flights cut into {@value #FRAGMENT}-octet
 * fragments, each acknowledged by an empty Response; the client's fragments acknowledged by empty
 * Requests, §2.1.5), then EAP-Success once the client acknowledged our Finished (§2.1.1).
 *
 * <p>The client certificate is judged after the handshake by the gateway's {@link
 * CertificateAuthenticator} (the same PKIX, EKU, CRL and thumbprint rules as every other
 * certificate login), and the resulting identity carries the chain, so revoking the certificate
 * later ends the session. The MSK is derived by {@link EapTlsKeys} (§2.3).
 *
 * <p>Steps run on {@code executor} (the handshake's signatures and key agreement are too slow for a
 * protocol's event thread); the caller makes one call at a time, so no lock is needed.
 */
final class EapTlsConversation implements EapConversation {
  /** Octets of TLS data per EAP-TLS Request: fits PPP's MRU (SSTP) and an IKE message. */
  static final int FRAGMENT = 1000;

  /** The largest TLS flight reassembled from a client (a chain of a few certificates). */
  static final int MAX_FLIGHT = 64 * 1024;

  /** Round trips before giving up: a handshake with a large chain needs about 15. */
  static final int MAX_ROUNDS = 100;

  static final int TYPE_NAK = 3;
  private static final int FLAG_LENGTH = 0x80;
  private static final int FLAG_MORE = 0x40;
  private static final int FLAG_START = 0x20;

  private enum State {
    IDENTITY,
    TLS,
    ENDED
  }

  private final SSLEngine engine;
  private final CertificateAuthenticator certificates;
  private final Executor executor;
  private final boolean identityKnown;
  private final ByteArrayOutputStream inbound = new ByteArrayOutputStream();
  private State state;
  private int id;
  private int rounds;
  private byte[] outbound = new byte[0];
  private int outOffset;
  private boolean handshakeDone;
  private ClientIdentity identity;
  private byte[] msk;

  EapTlsConversation(
      SSLEngine engine,
      CertificateAuthenticator certificates,
      Executor executor,
      boolean identityKnown) {
    this.engine = engine;
    this.certificates = certificates;
    this.executor = executor;
    this.identityKnown = identityKnown;
  }

  @Override
  public CompletionStage<Step> begin() {
    if (identityKnown) {
      state = State.TLS;
      return CompletableFuture.completedFuture(send(start()));
    }
    state = State.IDENTITY;
    return CompletableFuture.completedFuture(
        send(new byte[] {EapPacket.REQUEST, 0, 0, 5, EapPacket.TYPE_IDENTITY}));
  }

  @Override
  public CompletionStage<Step> receive(byte[] eapPacket) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return step(eapPacket);
          } catch (RuntimeException e) {
            // a JSSE engine surprise must end this one conversation, never the caller's thread
            return failure(RefusalReason.EAP_FAILURE, "EAP-TLS failed: " + e);
          }
        },
        executor);
  }

  private Step step(byte[] p) {
    if (state == State.ENDED) {
      return failure(RefusalReason.EAP_FAILURE, "EAP-TLS conversation already ended");
    }
    if (!EapPacket.wellFormed(p) || EapPacket.code(p) != EapPacket.RESPONSE) {
      return failure(RefusalReason.EAP_FAILURE, "not an EAP Response");
    }
    if (EapPacket.identifier(p) != id) {
      return failure(RefusalReason.EAP_FAILURE,
          "EAP Response " + EapPacket.identifier(p) + " to Request " + id);
    }
    if (++rounds > MAX_ROUNDS) {
      return failure(RefusalReason.EAP_FAILURE, "EAP-TLS took more than " + MAX_ROUNDS + " rounds");
    }
    int type = EapPacket.type(p).orElse(-1);
    if (state == State.IDENTITY) {
      if (type != EapPacket.TYPE_IDENTITY) {
        return failure(RefusalReason.EAP_FAILURE, "expected EAP-Response/Identity, got " + type);
      }
      state = State.TLS;
      return send(start());
    }
    if (type == TYPE_NAK) {
      return failure(RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "the client declined EAP-TLS (Nak), the only EAP method of a gateway without RADIUS");
    }
    if (type != EapPacket.TYPE_TLS) {
      return failure(RefusalReason.EAP_FAILURE, "expected EAP-TLS, got EAP type " + type);
    }
    try {
      return tls(p);
    } catch (SSLException e) {
      return failure(RefusalReason.EAP_FAILURE, "TLS handshake failed: " + e.getMessage());
    }
  }

  private Step tls(byte[] p) throws SSLException {
    int length = ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    if (length < 6) {
      return failure(RefusalReason.EAP_FAILURE, "EAP-TLS Response without flags");
    }
    int flags = p[5] & 0xff;
    int offset = 6;
    if ((flags & FLAG_LENGTH) != 0) {
      if (length < 10) {
        return failure(RefusalReason.EAP_FAILURE, "EAP-TLS L flag without a length");
      }
      long total = ByteBuffer.wrap(p, 6, 4).getInt() & 0xffffffffL;
      if (total > MAX_FLIGHT) {
        return failure(RefusalReason.EAP_FAILURE, "EAP-TLS message of " + total + " octets");
      }
      offset = 10;
    }
    int dataLength = length - offset;
    if (dataLength == 0 && (flags & FLAG_MORE) == 0) {
      if (outOffset < outbound.length) {
        return send(nextFragment()); // the client acknowledged our previous fragment
      }
      if (handshakeDone) {
        return success(); // the client acknowledged our Finished (RFC 5216 §2.1.1)
      }
      return failure(RefusalReason.EAP_FAILURE, "empty EAP-TLS Response with nothing to answer");
    }
    if (handshakeDone) {
      // after our Finished a client sends data only to report an error (a TLS alert)
      return failure(RefusalReason.EAP_FAILURE, "the client answered our Finished with TLS data");
    }
    inbound.write(p, offset, dataLength);
    if (inbound.size() > MAX_FLIGHT) {
      return failure(RefusalReason.EAP_FAILURE, "EAP-TLS flight over " + MAX_FLIGHT + " octets");
    }
    if ((flags & FLAG_MORE) != 0) {
      return send(request(0, new byte[0], 0)); // acknowledge the fragment (§2.1.5)
    }
    ByteBuffer flight = ByteBuffer.wrap(inbound.toByteArray());
    inbound.reset();
    outbound = drive(flight);
    outOffset = 0;
    if (flight.hasRemaining()) {
      // a record cut off without the M flag: keep it for the next message
      inbound.write(flight.array(), flight.position(), flight.remaining());
    }
    if (handshakeDone && identity == null) {
      Step refused = judge();
      if (refused != null) {
        return refused;
      }
    }
    if (outbound.length == 0) {
      if (handshakeDone) {
        return success();
      }
      return send(request(0, new byte[0], 0)); // nothing to say yet: ask for more
    }
    return send(nextFragment());
  }

  /** Checks the client's chain and derives the MSK; a Failure step, or null when accepted. */
  private Step judge() {
    X509Certificate[] chain;
    try {
      Certificate[] peer = engine.getSession().getPeerCertificates();
      chain = Arrays.copyOf(peer, peer.length, X509Certificate[].class);
    } catch (SSLPeerUnverifiedException | ArrayStoreException e) {
      return failure(RefusalReason.NO_CLIENT_CERTIFICATE,
          "the client sent no X.509 certificate in EAP-TLS");
    }
    try {
      identity = certificates.authenticate(chain);
    } catch (AuthenticationException e) {
      return failure(e.reason(), e.getMessage());
    }
    try {
      msk = EapTlsKeys.msk(engine.getSession());
    } catch (IllegalStateException e) {
      return failure(RefusalReason.EAP_FAILURE, "no EAP-TLS keys: " + e.getMessage());
    }
    return null;
  }

  /** Feeds a client flight to the engine and collects everything it sends back. */
  private byte[] drive(ByteBuffer in) throws SSLException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      SSLEngineResult r;
      if (hs == HandshakeStatus.NEED_TASK) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
        continue;
      } else if (hs == HandshakeStatus.NEED_WRAP) {
        net.clear();
        r = engine.wrap(ByteBuffer.allocate(0), net);
        net.flip();
        out.write(net.array(), 0, net.limit());
      } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
        if (!in.hasRemaining() && hs == HandshakeStatus.NEED_UNWRAP) {
          break;
        }
        app.clear();
        r = engine.unwrap(in, app);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
          break;
        }
      } else {
        break;
      }
      if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
        handshakeDone = true;
      }
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("the TLS engine closed (alert sent or received)");
      }
    }
    return out.toByteArray();
  }

  private byte[] start() {
    return request(FLAG_START, new byte[0], 0);
  }

  private byte[] nextFragment() {
    int left = outbound.length - outOffset;
    int n = Math.min(FRAGMENT, left);
    boolean first = outOffset == 0;
    boolean more = n < left;
    byte[] chunk = Arrays.copyOfRange(outbound, outOffset, outOffset + n);
    outOffset += n;
    int flags = (more ? FLAG_MORE : 0) | (first && more ? FLAG_LENGTH : 0);
    return request(flags, chunk, outbound.length);
  }

  /** A new EAP-TLS Request (the next identifier) with {@code flags} and {@code data}. */
  private byte[] request(int flags, byte[] data, int total) {
    id = (id + 1) & 0xff;
    int header = 6 + ((flags & FLAG_LENGTH) != 0 ? 4 : 0);
    ByteBuffer b = ByteBuffer.allocate(header + data.length);
    b.put((byte) EapPacket.REQUEST).put((byte) id).putShort((short) (header + data.length))
        .put((byte) EapPacket.TYPE_TLS).put((byte) flags);
    if ((flags & FLAG_LENGTH) != 0) {
      b.putInt(total);
    }
    b.put(data);
    return b.array();
  }

  private Step send(byte[] request) {
    id = EapPacket.identifier(request);
    return new Step.Send(request);
  }

  private Step success() {
    state = State.ENDED;
    SecretBytes key = SecretBytes.of(msk);
    SecretBytes.wipe(msk);
    return new Step.Success(EapPacket.result(EapPacket.SUCCESS, id), key, identity);
  }

  private Step failure(RefusalReason reason, String message) {
    state = State.ENDED;
    engine.closeOutbound();
    if (msk != null) {
      SecretBytes.wipe(msk);
    }
    return new Step.Failure(EapPacket.result(EapPacket.FAILURE, id), reason, message);
  }

  @Override
  public void close() {
    engine.closeOutbound();
    if (msk != null) {
      SecretBytes.wipe(msk);
    }
  }
}
