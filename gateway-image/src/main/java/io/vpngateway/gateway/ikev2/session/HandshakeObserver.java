package io.vpngateway.gateway.ikev2.session;

/** Told about every IKE_AUTH outcome, for the gateway's handshake metrics. */
public interface HandshakeObserver {
  void succeeded(long authNanos);

  /**
   * @param reason a short CamelCase reason (e.g. {@code CertificateRevoked}, {@code
   *     NoProposalChosen})
   */
  void failed(String reason, long authNanos);

  HandshakeObserver NONE =
      new HandshakeObserver() {
        @Override
        public void succeeded(long authNanos) {}

        @Override
        public void failed(String reason, long authNanos) {}
      };
}
