package io.vpngateway.gateway.auth.radius.eap;

import io.vpngateway.gateway.auth.radius.RadiusAccept;

/** What the relay hands back after one EAP packet from the peer. */
public sealed interface EapStep {
  /** Access-Challenge: send {@code eapToPeer} (an EAP-Request) and relay the peer's answer. */
  record Continue(byte[] eapToPeer) implements EapStep {
    public Continue {
      eapToPeer = eapToPeer.clone();
    }

    @Override
    public byte[] eapToPeer() {
      return eapToPeer.clone();
    }
  }

  /**
   * Access-Accept: send {@code eapToPeer} (EAP-Success) and admit the client. {@code
   * accept.mppeKeys()} holds the MSK halves for methods that derive keys (EAP-MSCHAPv2, EAP-TLS);
   * a protocol that needs keys (IKEv2 AUTH, SSTP crypto binding) must refuse when it is empty.
   */
  record Success(byte[] eapToPeer, RadiusAccept accept) implements EapStep {
    public Success {
      eapToPeer = eapToPeer.clone();
    }

    @Override
    public byte[] eapToPeer() {
      return eapToPeer.clone();
    }
  }

  /**
   * Refused or broken: send {@code eapToPeer} (EAP-Failure) and end the conversation.
   *
   * @param reason CamelCase code for metrics and protocol errors: {@code EapRejected}, {@code
   *     RadiusUnavailable}, {@code EapMalformed} (the peer's packet or the server's reply)
   * @param message one safe log sentence
   */
  record Failure(byte[] eapToPeer, String reason, String message) implements EapStep {
    public Failure {
      eapToPeer = eapToPeer.clone();
    }

    @Override
    public byte[] eapToPeer() {
      return eapToPeer.clone();
    }
  }
}
