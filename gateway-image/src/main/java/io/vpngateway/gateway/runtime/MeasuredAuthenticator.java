package io.vpngateway.gateway.runtime;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.ClientIdentity;
import java.security.cert.X509Certificate;

/**
 * What a protocol server gets as its {@link CertificateAuthenticator}: the gateway's authenticator,
 * timed and counted per protocol (handshakes ok / failed by reason, auth latency).
 */
public final class MeasuredAuthenticator implements CertificateAuthenticator {
  private final CertificateAuthenticator delegate;
  private final VpnProtocol protocol;
  private final GatewayMetrics metrics;

  public MeasuredAuthenticator(
      CertificateAuthenticator delegate, VpnProtocol protocol, GatewayMetrics metrics) {
    this.delegate = delegate;
    this.protocol = protocol;
    this.metrics = metrics;
  }

  @Override
  public ClientIdentity authenticate(X509Certificate[] chain) throws AuthenticationException {
    long start = System.nanoTime();
    try {
      ClientIdentity identity = delegate.authenticate(chain);
      metrics.handshakeSucceeded(protocol, System.nanoTime() - start);
      return identity;
    } catch (AuthenticationException e) {
      metrics.handshakeFailed(protocol, e.reason(), System.nanoTime() - start);
      throw e;
    }
  }
}
