package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.ClientIdentity;
import io.vpngateway.gateway.session.Protocol;
import java.security.cert.X509Certificate;

/**
 * What a protocol server gets as its {@link CertificateAuthenticator}: the gateway's authenticator,
 * timed and counted per protocol (handshakes ok / failed by reason, auth latency), with the chains
 * it accepted remembered so a reload can re-check live sessions.
 */
public final class MeasuredAuthenticator implements CertificateAuthenticator {
  private final CertificateAuthenticator delegate;
  private final Protocol protocol;
  private final GatewayMetrics metrics;
  private final LiveCertificates live;

  public MeasuredAuthenticator(
      CertificateAuthenticator delegate,
      Protocol protocol,
      GatewayMetrics metrics,
      LiveCertificates live) {
    this.delegate = delegate;
    this.protocol = protocol;
    this.metrics = metrics;
    this.live = live;
  }

  @Override
  public ClientIdentity authenticate(X509Certificate[] chain) throws AuthenticationException {
    long start = System.nanoTime();
    try {
      ClientIdentity identity = delegate.authenticate(chain);
      live.remember(chain);
      metrics.handshakeSucceeded(protocol, System.nanoTime() - start);
      return identity;
    } catch (AuthenticationException e) {
      metrics.handshakeFailed(protocol, e.reason(), System.nanoTime() - start);
      throw e;
    }
  }
}
