package io.vpngateway.gateway.auth.eaptls;

import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.eap.EapPacket;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;

/**
 * The gateway's own EAP-TLS server (RFC 5216): the {@link EapAuthenticator} of a gateway that
 * authenticates clients by certificate and has no RADIUS server to relay EAP to. IKEv2 clients
 * with {@code auth = eap-tls} (Windows' "user certificate" EAP) and SSTP clients (PPP EAP-TLS,
 * what a Windows SSTP profile with a certificate uses) prove their ClientCertificate inside EAP,
 * checked by the same {@link CertificateAuthenticator} as OpenVPN and IKEv2 certificate logins;
 * the EAP MSK keys the IKEv2 AUTH payload and SSTP's crypto binding.
 *
 * <p>The TLS server side is the gateway's (its server certificate, the crypto policy's cipher
 * suites), rebuilt when a reload changes the config. TLS 1.2 only: EAP-TLS with TLS 1.3 (RFC 9190)
 * is not implemented, so a policy that allows only TLS 1.3 refuses EAP-TLS with {@code
 * AuthMethodNotSupported}.
 */
public final class EapTlsServer implements EapAuthenticator {
  private static final Logger LOG = Logger.getLogger(EapTlsServer.class.getName());
  private static final String TLS12 = "TLSv1.2";

  private final Supplier<ServerTlsContext> tls;
  private final CertificateAuthenticator certificates;
  private final Executor executor;

  /**
   * @param tls the gateway's current TLS server side, asking for a client certificate (its server
   *     certificate and TLS policy; may throw when the config's key does not fit)
   * @param certificates the gateway's certificate trust, which judges every client certificate
   * @param executor where handshake steps run
   */
  public EapTlsServer(
      Supplier<ServerTlsContext> tls, CertificateAuthenticator certificates, Executor executor) {
    this.tls = tls;
    this.certificates = certificates;
    this.executor = executor;
  }

  /** A server whose handshake steps run on two daemon threads of its own. */
  public static EapTlsServer withOwnThreads(
      Supplier<ServerTlsContext> tls, CertificateAuthenticator certificates) {
    ExecutorService threads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "eap-tls");
              t.setDaemon(true);
              return t;
            });
    return new EapTlsServer(tls, certificates, threads);
  }

  /**
   * Whether this JVM can derive EAP-TLS keys (the TLS key exporter of Java 25 and later); without
   * it the gateway offers no local EAP-TLS.
   */
  public static boolean available() {
    return EapTlsKeys.available();
  }

  @Override
  public EapConversation start(ClientInfo client, Optional<String> identityHint) {
    ServerTlsContext context;
    try {
      context = tls.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "EAP-TLS: the gateway's TLS server context cannot be built", e);
      return new Refused(RefusalReason.INTERNAL_ERROR, "no TLS server context for EAP-TLS");
    }
    if (!context.protocols().contains(TLS12)) {
      return new Refused(RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "the TLS policy allows only TLS 1.3, and EAP-TLS with TLS 1.3 (RFC 9190) is not"
              + " implemented");
    }
    SSLEngine engine = context.newEngine();
    engine.setEnabledProtocols(new String[] {TLS12});
    try {
      engine.beginHandshake();
    } catch (javax.net.ssl.SSLException e) {
      return new Refused(RefusalReason.INTERNAL_ERROR, "EAP-TLS engine: " + e.getMessage());
    }
    return new EapTlsConversation(
        engine, certificates, executor, identityHint.filter(h -> !h.isEmpty()).isPresent());
  }

  /** A conversation that ends at once with EAP-Failure, for a server that cannot run EAP-TLS. */
  private static final class Refused implements EapConversation {
    private final RefusalReason reason;
    private final String message;

    Refused(RefusalReason reason, String message) {
      this.reason = reason;
      this.message = message;
    }

    @Override
    public CompletionStage<Step> begin() {
      return CompletableFuture.completedFuture(
          new Step.Failure(EapPacket.result(EapPacket.FAILURE, 0), reason, message));
    }

    @Override
    public CompletionStage<Step> receive(byte[] eapPacket) {
      return begin();
    }

    @Override
    public void close() {}
  }
}
