package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The IKEv2 responder's CPU per handshake (IKE_SA_INIT, IKE_AUTH with an ECDSA certificate
 * through the gateway's admission and PKIX authenticator, CHILD_SA, then the client's Delete), as
 * the CPU time of the engine's control thread, in-process and warmed up, which the whole-system
 * bench ({@code bench/ikev2-vs-strongswan.sh}) cannot warm up as far. Not a test (surefire runs
 * {@code *Test} only); see gateway-image/BENCHMARKS.md.
 *
 * <pre>java -cp "$CP" io.vpngateway.gateway.ikev2.session.HandshakeCpuBenchmark [PER_ROUND] [ROUNDS]
 *     [GAP_MS FROM_ROUND] [IDLE_SECONDS]
 * </pre>
 *
 * <p>GAP_MS: from round FROM_ROUND on, that much idle time after each handshake (a handshake that
 * starts on an idle process, as with real clients, against one that follows another); the
 * control loop's ticks in the pauses count too. IDLE_SECONDS: at the end, the control thread's CPU
 * over that long with no IKE SA.
 */
public final class HandshakeCpuBenchmark {
  private HandshakeCpuBenchmark() {}

  static final List<String> IKE = List.of("aes256gcm16-prfsha256-ecp256");

  public static void main(String[] args) throws Exception {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    long gapMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
    int gapsFrom = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int idleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    try (EngineHarness h =
        new EngineHarness(p -> EngineHarnessPolicies.copy(withIke(p, IKE), 1_000_000, 1248))) {
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      var threads = ManagementFactory.getThreadMXBean();
      long control = -1;
      for (int round = 0; round < rounds; round++) {
        long cpu0 = -1;
        long t0 = System.nanoTime();
        for (int i = 0; i < perRound; i++) {
          InetSocketAddress from =
              new InetSocketAddress("198.51.100." + (1 + i % 200), 1024 + i % 60000);
          LoopbackInitiator c = new LoopbackInitiator(from, EngineHarness.GATEWAY, IKE);
          c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_256, null, false), from, false));
          if (control < 0) {
            control = threadId("ikev2-control");
          }
          if (cpu0 < 0) {
            cpu0 = threads.getThreadCpuTime(control);
          }
          c.open(h.exchange(c.request(ExchangeType.IKE_AUTH,
              c.authPayloads(alice, List.of("aes256gcm16"))), from, true));
          c.open(h.exchange(c.request(ExchangeType.INFORMATIONAL,
              List.of(DeletePayload.ikeSa())), from, true));
          if (gapMillis > 0 && round >= gapsFrom) {
            Thread.sleep(gapMillis);
          }
        }
        h.sync();
        long cpu = threads.getThreadCpuTime(control) - cpu0;
        System.out.printf("round %d: %d handshakes%s, responder CPU %.3f ms per handshake%n",
            round, perRound, gapMillis > 0 && round >= gapsFrom ? " " + gapMillis + " ms apart" : "",
            cpu / 1e6 / perRound);
      }
      if (idleSeconds > 0) {
        long idle0 = threads.getThreadCpuTime(control);
        Thread.sleep(idleSeconds * 1000L);
        System.out.printf("idle %d s with no IKE SA: control thread %.3f ms CPU%n", idleSeconds,
            (threads.getThreadCpuTime(control) - idle0) / 1e6);
      }
    }
  }

  private static long threadId(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no thread " + name);
  }

  private static Ikev2Policy withIke(Ikev2Policy p, List<String> ike) {
    return new Ikev2Policy(
        Ikev2Policy.ike(ike), p.espProposals(), p.serverChain(), p.serverKey(), p.trustAnchors(),
        p.routes(), p.forceTunnel(), p.dnsServers(), p.searchDomains(), p.ikeLifetime(),
        p.childLifetime(), p.childLifetimeBytes(), p.dpdDelay(), p.dpdTimeout(),
        p.halfOpenTimeout(), p.maxHalfOpen(), p.maxHalfOpenPerSource(), p.cookieThreshold(),
        p.fragmentSize(), p.maxSessions());
  }
}
