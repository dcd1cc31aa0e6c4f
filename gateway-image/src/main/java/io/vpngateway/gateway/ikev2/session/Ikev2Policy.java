package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * What the IKEv2 responder offers and enforces, from the gateway config. Immutable; a reload
 * installs a new one for the next exchanges.
 */
public final class Ikev2Policy {
  private final List<ProposalPolicy> ikeProposals;
  private final List<ProposalPolicy> espProposals;
  private final List<X509Certificate> serverChain;
  private final PrivateKey serverKey;
  private final List<X509Certificate> trustAnchors;
  private final List<String> routes;
  private final boolean forceTunnel;
  private final List<String> dnsServers;
  private final List<String> searchDomains;
  private final Duration ikeLifetime;
  private final Duration childLifetime;
  private final long childLifetimeBytes;
  private final Duration dpdDelay;
  private final Duration dpdTimeout;
  private final Duration halfOpenTimeout;
  private final int maxHalfOpen;
  private final int maxHalfOpenPerSource;
  private final int cookieThreshold;
  private final int fragmentSize;
  private final int maxSessions;
  /** SHA-1 hashes of the trust anchors' public keys, for the CERTREQ of every IKE_SA_INIT. */
  private final List<byte[]> certificateRequestKeyHashes;
  /** What the gateway routes, as sorted disjoint ranges, for every TSr narrowing. */
  private final List<long[]> allowedRanges;

  /**
   * Builds a policy and what it derives once (the CERTREQ key hashes, the routed ranges).
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
  public Ikev2Policy(
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
    this.ikeProposals = List.copyOf(ikeProposals);
    this.espProposals = List.copyOf(espProposals);
    this.serverChain = List.copyOf(serverChain);
    this.serverKey = serverKey;
    this.trustAnchors = List.copyOf(trustAnchors);
    this.routes = List.copyOf(routes);
    this.forceTunnel = forceTunnel;
    this.dnsServers = List.copyOf(dnsServers);
    this.searchDomains = List.copyOf(searchDomains);
    this.ikeLifetime = ikeLifetime;
    this.childLifetime = childLifetime;
    this.childLifetimeBytes = childLifetimeBytes;
    this.dpdDelay = dpdDelay;
    this.dpdTimeout = dpdTimeout;
    this.halfOpenTimeout = halfOpenTimeout;
    this.maxHalfOpen = maxHalfOpen;
    this.maxHalfOpenPerSource = maxHalfOpenPerSource;
    this.cookieThreshold = cookieThreshold;
    this.fragmentSize = fragmentSize;
    this.maxSessions = maxSessions;
    if (this.ikeProposals.isEmpty() || this.espProposals.isEmpty()) {
      throw new IllegalArgumentException("IKEv2 needs at least one IKE and one ESP proposal");
    }
    if (this.serverChain.isEmpty()) {
      throw new IllegalArgumentException("IKEv2 needs a server certificate");
    }
    this.certificateRequestKeyHashes =
        List.copyOf(IkeSaInitResponder.keyHashes(this.trustAnchors));
    this.allowedRanges = List.copyOf(TrafficSelectorNarrowing.computeRanges(this));
  }

  public List<ProposalPolicy> ikeProposals() {
    return ikeProposals;
  }

  public List<ProposalPolicy> espProposals() {
    return espProposals;
  }

  public List<X509Certificate> serverChain() {
    return serverChain;
  }

  public PrivateKey serverKey() {
    return serverKey;
  }

  public List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  public List<String> routes() {
    return routes;
  }

  public boolean forceTunnel() {
    return forceTunnel;
  }

  public List<String> dnsServers() {
    return dnsServers;
  }

  public List<String> searchDomains() {
    return searchDomains;
  }

  public Duration ikeLifetime() {
    return ikeLifetime;
  }

  public Duration childLifetime() {
    return childLifetime;
  }

  public long childLifetimeBytes() {
    return childLifetimeBytes;
  }

  public Duration dpdDelay() {
    return dpdDelay;
  }

  public Duration dpdTimeout() {
    return dpdTimeout;
  }

  public Duration halfOpenTimeout() {
    return halfOpenTimeout;
  }

  public int maxHalfOpen() {
    return maxHalfOpen;
  }

  public int maxHalfOpenPerSource() {
    return maxHalfOpenPerSource;
  }

  public int cookieThreshold() {
    return cookieThreshold;
  }

  public int fragmentSize() {
    return fragmentSize;
  }

  public int maxSessions() {
    return maxSessions;
  }

  /**
   * The CA key hashes our CERTREQ announces (RFC 7296 §3.7), computed once per policy (a reload
   * builds a new one). The arrays are only read: {@code CertRequestPayload} copies them.
   */
  List<byte[]> certificateRequestKeyHashes() {
    return certificateRequestKeyHashes;
  }

  /**
   * What the gateway routes for its clients, as sorted disjoint address ranges (the TSr narrowing
   * of every IKE_AUTH and CREATE_CHILD_SA), computed once per policy. The arrays are only read.
   */
  List<long[]> allowedRanges() {
    return allowedRanges;
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
