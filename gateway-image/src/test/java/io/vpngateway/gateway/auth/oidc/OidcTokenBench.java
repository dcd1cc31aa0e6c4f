package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.radius.RadiusAuthBenchmark;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.testing.GatewayFixture;
import io.vpngateway.gateway.testing.OidcConfigs;
import io.vpngateway.gateway.testing.TestIssuer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OIDC part of {@link RadiusAuthBenchmark} (not a test): an OIDC token (RS256 JWT from a
 * real issuer, mock-oauth2-server over HTTPS on loopback) as the OpenVPN password through the
 * authentication pipeline; latency added by the gateway = wall time minus the time spent waiting
 * for the issuer (discovery and key set, fetched once and cached: zero per login in the steady
 * state), p50/p99, then logins per CPU-second with concurrent logins.
 */
public final class OidcTokenBench {
  private static final String AUDIENCE = "vpn-gateway";
  private static final ClientInfo CLIENT =
      new ClientInfo(VpnProtocol.OpenVPN, "bench", new InetSocketAddress("192.0.2.1", 1194));

  private OidcTokenBench() {}

  public static void run(int n, int concurrency, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("oidc-bench");
    try (TestIssuer issuer = TestIssuer.startOnLoopback()) {
      GatewayFixture.preparedState(dir);
      OidcConfigs.withOidc(
          dir,
          OidcConfigs.oidc(issuer.issuerUrl().toString(), AUDIENCE, null, List.of(),
              OidcConfigs.freePort(), 60_000),
          issuer.caCertificatePem());
      ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
      try (OidcService service =
          OidcService.start(source.current(), InetAddress.getByName("127.0.0.1"),
              Clock.systemUTC())) {
        AuthenticationPipeline pipeline =
            AuthenticationPipeline.builder().password(new OidcPasswordAuthenticator(service))
                .build();
        String[] tokens = new String[256];
        for (int i = 0; i < tokens.length; i++) {
          tokens[i] = issuer.token("user-" + i, AUDIENCE,
              Map.of("groups", List.of("engineering")), 3600);
        }
        IssuerHttpClient http = service.current().orElseThrow().issuer().http();
        AtomicInteger next = new AtomicInteger();
        RadiusAuthBenchmark.Login login =
            () -> login(pipeline, tokens[Math.floorMod(next.getAndIncrement(), tokens.length)]);
        long requests0 = http.requestsTotal();
        long cold0 = System.nanoTime();
        long waitedCold0 = http.waitedNanosTotal();
        login.run(); // the first login fetches discovery and the key set
        System.out.printf("OIDC first login (discovery + key set fetched): total %.0f us,"
                + " issuer %.0f us, %d issuer request(s)%n",
            (System.nanoTime() - cold0) / 1000.0, (http.waitedNanosTotal() - waitedCold0) / 1000.0,
            http.requestsTotal() - requests0);
        for (int i = 0; i < Math.min(500, n); i++) {
          login.run(); // warm-up
        }
        long requestsBefore = http.requestsTotal();
        long[] total = new long[n];
        long[] idp = new long[n];
        long[] added = new long[n];
        long cpu0 = RadiusAuthBenchmark.cpuNanos();
        for (int i = 0; i < n; i++) {
          long waited = http.waitedNanosTotal();
          long t0 = System.nanoTime();
          login.run();
          total[i] = System.nanoTime() - t0;
          idp[i] = http.waitedNanosTotal() - waited;
          added[i] = total[i] - idp[i];
        }
        double cpuPerLogin = (RadiusAuthBenchmark.cpuNanos() - cpu0) / 1000.0 / n;
        System.out.printf("OIDC token latency over %d sequential logins (us): total p50 %.0f p99"
                + " %.0f | issuer p50 %.0f p99 %.0f (%d issuer requests) | added by the gateway"
                + " p50 %.0f p99 %.0f | gateway JVM CPU %.0f us per login (%.0f logins per"
                + " CPU-second)%n",
            n, RadiusAuthBenchmark.p(total, 50), RadiusAuthBenchmark.p(total, 99),
            RadiusAuthBenchmark.p(idp, 50), RadiusAuthBenchmark.p(idp, 99),
            http.requestsTotal() - requestsBefore,
            RadiusAuthBenchmark.p(added, 50), RadiusAuthBenchmark.p(added, 99), cpuPerLogin,
            1e6 / cpuPerLogin);
        RadiusAuthBenchmark.throughput("OIDC token", login, concurrency, seconds);
      }
    }
  }

  private static void login(AuthenticationPipeline pipeline, String token) throws Exception {
    AuthResult r = pipeline.authenticate(new ClientCredentials(CLIENT, List.of(),
        Optional.of(PasswordCredential.of("user", token)))).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    if (!(r instanceof AuthResult.Accepted)) {
      throw new IllegalStateException("login refused: " + r);
    }
  }
}
