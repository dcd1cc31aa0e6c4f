package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * What the IKEv2 responder offers and enforces, from the gateway config. Immutable; a reload
 * installs a new one for the next exchanges.
 *
 * @param ikeProposals IKE proposals, preferred first
 * @param espProposals ESP proposals, preferred first
 * @param serverChain our certificate first, then intermediates (sent in CERT payloads)
 * @param serverKey its private key (signs our AUTH payload)
 * @param trustAnchors the CAs client certificates may chain to (announced in CERTREQ)
 * @param routes IPv4 CIDRs behind the gateway (our traffic selectors in split tunnel)
 * @param forceTunnel offer 0.0.0.0/0 instead of the routes
 * @param dnsServers IPv4 DNS servers for INTERNAL_IP4_DNS
 * @param searchDomains DNS suffixes for INTERNAL_DNS_DOMAIN (RFC 8598)
 * @param ikeLifetime when we rekey an IKE SA ourselves (the client usually does it first)
 * @param childLifetime when we rekey a CHILD_SA ourselves
 * @param childLifetimeBytes traffic after which we rekey a CHILD_SA (0: no limit)
 * @param dpdDelay idle time after which we probe a client (RFC 7296 §2.4)
 * @param dpdTimeout how long an unanswered request of ours may stay unanswered before the IKE SA
 *     is declared dead
 * @param halfOpenTimeout how long an IKE SA may wait for IKE_AUTH
 * @param maxHalfOpen bound of the half-open table
 * @param maxHalfOpenPerSource bound per client IP address
 * @param cookieThreshold half-open SAs from which every new IKE_SA_INIT must carry a cookie (RFC
 *     7296 §2.6)
 * @param fragmentSize largest IKE message we send when the peer supports fragmentation (RFC 7383)
 * @param maxSessions established sessions this server admits
 */
public record Ikev2Policy(
    List<ProposalPolicy> ikeProposals,
    List<ProposalPolicy> espProposals,
    List<X509Certificate> serverChain,
    PrivateKey serverKey,
    List<X509Certificate> trustAnchors,
    List<String> routes,
    boolean forceTunnel,
    List<String> dnsServers,
    List<String> searchDomains,
    Duration ikeLifetime,
    Duration childLifetime,
    long childLifetimeBytes,
    Duration dpdDelay,
    Duration dpdTimeout,
    Duration halfOpenTimeout,
    int maxHalfOpen,
    int maxHalfOpenPerSource,
    int cookieThreshold,
    int fragmentSize,
    int maxSessions) {

  public Ikev2Policy {
    ikeProposals = List.copyOf(ikeProposals);
    espProposals = List.copyOf(espProposals);
    serverChain = List.copyOf(serverChain);
    trustAnchors = List.copyOf(trustAnchors);
    routes = List.copyOf(routes);
    dnsServers = List.copyOf(dnsServers);
    searchDomains = List.copyOf(searchDomains);
    if (ikeProposals.isEmpty() || espProposals.isEmpty()) {
      throw new IllegalArgumentException("IKEv2 needs at least one IKE and one ESP proposal");
    }
    if (serverChain.isEmpty()) {
      throw new IllegalArgumentException("IKEv2 needs a server certificate");
    }
  }

  /** Parses proposals in strongSwan notation (the config document's). */
  public static List<ProposalPolicy> ike(List<String> notation) {
    return notation.stream().map(ProposalPolicy::ike).toList();
  }

  public static List<ProposalPolicy> esp(List<String> notation) {
    return notation.stream().map(ProposalPolicy::esp).toList();
  }

  @Override
  public String toString() {
    return "Ikev2Policy[" + ikeProposals.size() + " IKE / " + espProposals.size()
        + " ESP proposals, routes " + routes + ", forceTunnel " + forceTunnel + "]";
  }
}
