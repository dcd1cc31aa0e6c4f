package io.vpngateway.gateway.ikev2.session;

/** Policy variants for {@link EngineHarness}. */
final class EngineHarnessPolicies {
  private EngineHarnessPolicies() {}

  static Ikev2Policy cookiesAlways(Ikev2Policy p) {
    return copy(p, 0, p.fragmentSize());
  }

  static Ikev2Policy smallFragments(Ikev2Policy p) {
    return copy(p, p.cookieThreshold(), 400);
  }

  static Ikev2Policy dpd(Ikev2Policy p, java.time.Duration delay, java.time.Duration timeout) {
    return new Ikev2Policy(
        p.ikeProposals(), p.espProposals(), p.serverChain(), p.serverKey(), p.trustAnchors(),
        p.routes(), p.forceTunnel(), p.dnsServers(), p.searchDomains(), p.ikeLifetime(),
        p.childLifetime(), p.childLifetimeBytes(), delay, timeout,
        p.halfOpenTimeout(), p.maxHalfOpen(), p.maxHalfOpenPerSource(), p.cookieThreshold(),
        p.fragmentSize(), p.maxSessions());
  }

  static Ikev2Policy copy(Ikev2Policy p, int cookieThreshold, int fragmentSize) {
    return new Ikev2Policy(
        p.ikeProposals(), p.espProposals(), p.serverChain(), p.serverKey(), p.trustAnchors(),
        p.routes(), p.forceTunnel(), p.dnsServers(), p.searchDomains(), p.ikeLifetime(),
        p.childLifetime(), p.childLifetimeBytes(), p.dpdDelay(), p.dpdTimeout(),
        p.halfOpenTimeout(), p.maxHalfOpen(), p.maxHalfOpenPerSource(), cookieThreshold,
        fragmentSize, p.maxSessions());
  }
}
