package io.vpngateway.gateway.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Everything a client offered to prove who it is, as its protocol received it: a protocol asks
 * the {@link AuthenticationPipeline} about exactly what its client sent, and the pipeline decides
 * by the gateway's configuration which of it counts.
 *
 * @param client who is asking (protocol, session, address, attributes)
 * @param certificateChain the chain the client presented (leaf first), empty when none
 * @param password the user name and password it sent, if any
 */
public record ClientCredentials(
    ClientInfo client,
    List<X509Certificate> certificateChain,
    Optional<PasswordCredential> password) {
  public ClientCredentials {
    certificateChain = certificateChain == null ? List.of() : List.copyOf(certificateChain);
    password = password == null ? Optional.empty() : password;
  }

  public static ClientCredentials certificate(ClientInfo client, X509Certificate[] chain) {
    return new ClientCredentials(client, List.of(chain), Optional.empty());
  }

  public boolean offersCertificate() {
    return !certificateChain.isEmpty();
  }
}
