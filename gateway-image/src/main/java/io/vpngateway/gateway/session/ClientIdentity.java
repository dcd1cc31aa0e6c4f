package io.vpngateway.gateway.session;

import java.util.List;

/**
 * Who a client is once authenticated, whatever the protocol or method.
 *
 * @param name the identity (certificate common name, RADIUS user name or OIDC subject)
 * @param groups groups used to pick an address pool (from the certificate, RADIUS reply or token)
 * @param method how the client proved it: {@code certificate}, {@code radius} or {@code oidc}
 * @param certificateSha256 hex SHA-256 of the client certificate, or null when none was used; the
 *     key by which a revocation finds live sessions
 */
public record ClientIdentity(
    String name, List<String> groups, String method, String certificateSha256) {
  public ClientIdentity {
    groups = List.copyOf(groups);
  }
}
