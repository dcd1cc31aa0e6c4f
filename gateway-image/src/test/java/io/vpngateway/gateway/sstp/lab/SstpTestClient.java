package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import io.vpngateway.gateway.sstp.crypto.SstpHashProtocol;
import io.vpngateway.gateway.sstp.crypto.SstpHlak;
import io.vpngateway.gateway.sstp.message.SstpAttribute;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpCryptoBinding;
import io.vpngateway.gateway.sstp.message.SstpCryptoBindingRequest;
import io.vpngateway.gateway.sstp.message.SstpHttpRequest;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import io.vpngateway.gateway.sstp.message.SstpPacketHeader;
import io.vpngateway.gateway.sstp.message.SstpPacketReader;
import io.vpngateway.gateway.sstp.ppp.crypto.MppeKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Our own SSTP client for robustness tests (the real sstpc cannot be told to misbehave): TLS with
 * the test CA, the HTTP exchange, Call Connect, PPP through {@link PppTestClient}, and a Call
 * Connected whose crypto binding can be broken on purpose.
 */
public final class SstpTestClient implements AutoCloseable {
  public final SSLSocket socket;
  private final OutputStream out;
  public final PppTestClient ppp;
  public final BlockingQueue<SstpControlMessage> control = new LinkedBlockingQueue<>();
  private byte[] nonce;
  private final Thread reader;

  public SstpTestClient(InetSocketAddress server) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", SstpTestPki.get().ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    socket = (SSLSocket) ctx.getSocketFactory().createSocket(server.getAddress(), server.getPort());
    socket.setSoTimeout(20_000);
    socket.startHandshake();
    out = socket.getOutputStream();
    out.write(
        ("SSTP_DUPLEX_POST " + SstpHttpRequest.URI + " HTTP/1.1\r\nHost: test\r\n"
                + "Content-Length: 18446744073709551615\r\nSSTPCORRELATIONID: {x}\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead(socket.getInputStream());
    if (!head.startsWith("HTTP/1.1 200")) {
      throw new IOException("server answered " + head);
    }
    ppp = new PppTestClient(this::sendFrame);
    reader = new Thread(this::readLoop, "sstp-test-client");
    reader.setDaemon(true);
    reader.start();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed during the HTTP reply");
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  private void readLoop() {
    try {
      SstpPacketReader r = new SstpPacketReader(socket.getInputStream());
      while (r.next()) {
        if (r.isControl()) {
          control.add(SstpControlMessage.decode(r.copy()));
        } else {
          byte[] frame = new byte[r.length() - 4];
          System.arraycopy(r.buffer(), 4, frame, 0, frame.length);
          ppp.deliver(frame);
        }
      }
    } catch (Exception e) {
      // the end of the connection
    }
    ppp.deliver(new byte[0]);
    control.add(SstpControlMessage.of(SstpMessageType.CALL_DISCONNECT_ACK));
  }

  public synchronized void sendRaw(byte[] packet) throws IOException {
    out.write(packet);
    out.flush();
  }

  void sendFrame(byte[] frame) throws IOException {
    byte[] p = new byte[4 + frame.length];
    SstpPacketHeader.encode(p, false, p.length);
    System.arraycopy(frame, 0, p, 4, frame.length);
    sendRaw(p);
  }

  /** Call Connect Request; waits for the Ack and keeps its nonce. */
  public void callConnect(Duration timeout) throws Exception {
    sendRaw(SstpControlMessage.of(SstpMessageType.CALL_CONNECT_REQUEST,
        SstpAttribute.encapsulatedPpp()).encode());
    SstpControlMessage ack = awaitControl(timeout);
    if (ack.type() != SstpMessageType.CALL_CONNECT_ACK) {
      throw new AssertionError("expected Call Connect Ack, got " + ack.type());
    }
    nonce = SstpCryptoBindingRequest.decode(ack.attribute(SstpAttribute.CRYPTO_BINDING_REQ))
        .nonce();
  }

  public SstpControlMessage awaitControl(Duration timeout) throws InterruptedException {
    SstpControlMessage m = control.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no control message within " + timeout);
    }
    return m;
  }

  /** The server certificate's hash as a client sees it. */
  public byte[] serverCertificateHash(SstpHashProtocol p) throws Exception {
    X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
    return MessageDigest.getInstance(p.digestAlgorithm()).digest(leaf.getEncoded());
  }

  /**
   * Call Connected with a binding from the client's MPPE keys (after MS-CHAPv2), the given
   * certificate hash and nonce.
   */
  public void callConnected(SstpHashProtocol p, byte[] certHash, byte[] nonceToSend,
      byte[] clientSend, byte[] clientReceive) throws IOException {
    // the client's HLAK is its send key then its receive key (MS-SSTP 3.2.5.2.2)
    byte[] hlak = SstpHlak.fromMsChapV2(new MppeKeys(clientReceive, clientSend));
    byte[] m = SstpControlMessage.of(SstpMessageType.CALL_CONNECTED,
        SstpCryptoBinding.unsignedAttribute(p, nonceToSend, certHash)).encode();
    byte[] mac = SstpCryptoBindingCheck.compoundMac(p, hlak, m);
    System.arraycopy(mac, 0, m, SstpCryptoBinding.MAC_OFFSET_IN_CALL_CONNECTED, mac.length);
    sendRaw(m);
  }

  public byte[] nonce() {
    return nonce.clone();
  }

  /** Connects all the way: Call Connect, LCP, MS-CHAPv2, IPCP, a valid Call Connected. */
  public java.net.Inet4Address connect(String user, String password, Duration step)
      throws Exception {
    callConnect(step);
    ppp.openLcp(step);
    if (!ppp.msChapV2(user, password, step)) {
      throw new AssertionError("MS-CHAPv2 refused: " + ppp.failureMessage);
    }
    java.net.Inet4Address a = ppp.openIpcp(step);
    callConnected(SstpHashProtocol.SHA256, serverCertificateHash(SstpHashProtocol.SHA256),
        nonce(), ppp.mppeSendKey, ppp.mppeReceiveKey);
    return a;
  }

  public boolean isClosedByServer(Duration timeout) throws InterruptedException {
    reader.join(timeout.toMillis());
    return !reader.isAlive();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
