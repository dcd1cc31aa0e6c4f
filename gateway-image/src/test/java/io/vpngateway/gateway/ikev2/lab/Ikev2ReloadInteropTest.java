package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A reload that tightens authentication ends the live IKE SAs it no longer admits, with the real
 * strongSwan client against {@code vpngw serve}: two charons (each in a client namespace of its
 * own, since charon binds UDP 500/4500), one with a certificate, one with EAP-MSCHAPv2 relayed to
 * a real FreeRADIUS. Turning certificate authentication off ends the certificate client's IKE SA
 * with an INFORMATIONAL Delete within 5 s while the RADIUS client keeps pinging through the
 * reload; with it on again, turning RADIUS off ends the RADIUS client's SA while the certificate
 * client keeps pinging.
 */
class Ikev2ReloadInteropTest {
  private static final String SECRET = "radius-shared-secret-for-the-reload-test";
  private static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: ikereload
        namespace: default
      spec:
        protocols: [IKEv2]
        clientAddressPools:
          - cidr: 10.207.0.0/24
        routing:
          routes: [%BACKEND%]
        authentication:
          certificate:
            builtInCa: true
          radius:
            servers:
              - address: 127.0.0.1
                secretRef: {name: radius-secret}
            timeout: 10s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %SECRET%
      """;
  private static final String CHILD = "ikereload";

  @Test
  void aReloadEndsOnlyTheIkeSasItNoLongerAdmits() throws Exception {
    Prerequisites.requireBinary("freeradius");
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start("ikereload", "10.98.87.0/24", "10.98.88.0/24",
            GATEWAY.replace("%SECRET%", SECRET), c -> c)) {
      NetnsLab lab = ikev2.lab();
      Netns second = lab.addClient(2, "10.98.89.0/24");
      GatewayConfig.Authentication withBoth = ikev2.config().authentication();
      GatewayConfig.Authentication certificateOff =
          new GatewayConfig.Authentication(null, withBoth.radius(), withBoth.oidc(), false);
      GatewayConfig.Authentication radiusOff =
          new GatewayConfig.Authentication(withBoth.certificate(), null, withBoth.oidc(), false);
      try (FreeRadiusServer radius =
              FreeRadiusServer.builder(lab.workDir())
                  .in(lab.gateway())
                  .listen("127.0.0.1")
                  .clients("127.0.0.1")
                  .secret(SECRET)
                  .user("alice", "alice-pw")
                  .start();
          StrongSwanClient frank =
              ikev2.client("frank", ikev2.issue("frank", "ECDSA", List.of()));
          StrongSwanClient alice = StrongSwanClient.start(second,
              lab.workDir().resolve("charon-alice"), "alice")) {
        alice.installProfile(ikev2.issue("unused", "ECDSA", List.of()));
        alice.writeConfig(Ikev2EapInteropTest.eapClient(alice.config(), "alice", "alice-pw"));
        alice.loadAll();
        frank.connect(CHILD, ikev2.gateway());
        alice.connect(CHILD, ikev2.gateway());
        assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
        assertTrue(lab.ping(second, lab.backendAddress(), 3).received() >= 2);

        // certificate authentication off: frank's SA goes, alice's stays untouched
        endsOneKeepsTheOther(ikev2, certificateOff, frank, lab.client(), alice, second,
            "CredentialsMissing");

        // on again: frank is back; RADIUS off: alice's SA goes, frank's stays untouched
        ikev2.reload(c -> Ikev2Lab.withAuthentication(c, withBoth));
        frank.connect(CHILD, ikev2.gateway());
        endsOneKeepsTheOther(ikev2, radiusOff, alice, second, frank, lab.client(),
            "NoClientCertificate");
      }
    }
  }

  /**
   * Reloads to {@code tightened} while {@code kept} pings the backend from {@code keptNs}: {@code
   * ended}'s charon is told Delete within 5 s and the gateway names the reason; every ping of
   * {@code kept} is answered and its IKE SA was neither rekeyed nor re-established.
   */
  private static void endsOneKeepsTheOther(
      Ikev2Lab ikev2,
      GatewayConfig.Authentication tightened,
      StrongSwanClient ended,
      Netns endedNs,
      StrongSwanClient kept,
      Netns keptNs,
      String reason)
      throws Exception {
    NetnsLab lab = ikev2.lab();
    int keptEstablished = occurrences(kept, "established");
    int keptDeletes = occurrences(kept, "received DELETE");
    int deletes = occurrences(ended, "received DELETE for IKE_SA");
    // 40 pings 0.2 s apart, across the reload and the other client's Delete
    CompletableFuture<PingResult> pinging =
        CompletableFuture.supplyAsync(() -> lab.ping(keptNs, lab.backendAddress(), 40));
    long start = System.nanoTime();
    ikev2.reload(c -> Ikev2Lab.withAuthentication(c, tightened));
    ended.charon().awaitOccurrences("received DELETE for IKE_SA", deletes + 1,
        Duration.ofSeconds(5));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("IKEv2 reload (" + reason + "): client told after " + millis + " ms");
    ikev2.gateway().awaitLine("no longer admit it \\(" + reason + "\\)", Duration.ofSeconds(1));
    PingResult ping = pinging.join();
    assertEquals(40, ping.received(), "the admitted client's pings through the reload:\n"
        + ping.output());
    // neither rekeyed nor re-established nor deleted: untouched
    assertEquals(keptEstablished, occurrences(kept, "established"), kept.charon().tail());
    assertEquals(keptDeletes, occurrences(kept, "received DELETE"), kept.charon().tail());
    PingResult none = lab.ping(endedNs, lab.backendAddress(), 2);
    assertEquals(0, none.received(), "no tunnel for the ended client:\n" + none.output());
  }

  private static int occurrences(StrongSwanClient c, String text) {
    return c.charon().output().split(java.util.regex.Pattern.quote(text), -1).length - 1;
  }
}
