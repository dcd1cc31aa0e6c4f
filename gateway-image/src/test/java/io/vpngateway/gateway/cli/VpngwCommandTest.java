package io.vpngateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.Pem;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VpngwCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int vpngw(String... args) {
    CommandLine cli = Vpngw.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void usageErrorsExitWith2() {
    assertEquals(2, vpngw());
    assertEquals(2, vpngw("frobnicate"));
    assertEquals(2, vpngw("serve"));
    assertTrue(
        err.toString().contains("give either --config FILE or -f VPNGATEWAY.yaml"), err.toString());
    assertEquals(2, vpngw("serve", "-f", "gateway.yaml"));
    assertEquals(2, vpngw("issue", "--state-dir", tmp.toString()));
    assertEquals(2, vpngw("revoke", "--state-dir", tmp.toString()));
  }

  /** The shared options (one mixin) keep each command's own help text. */
  @Test
  void theStandaloneCommandsShareTheirOptionsAndKeepTheirHelp() {
    String issue = Vpngw.commandLine().getSubcommands().get("issue").getUsageMessage();
    String profile = Vpngw.commandLine().getSubcommands().get("profile").getUsageMessage();
    String revoke = Vpngw.commandLine().getSubcommands().get("revoke").getUsageMessage();
    for (String usage : new String[] {issue, profile, revoke}) {
      assertTrue(
          usage.contains("--state-dir=DIR   The standalone gateway's state directory."), usage);
    }
    assertTrue(
        issue.contains("--out=DIR         Where to write the certificate, key, PKCS#12"), issue);
    assertTrue(
        profile.contains("--out=DIR         Where to write client.ovpn and ca.crt."), profile);
    assertTrue(profile.contains("--endpoint=HOST   The name or address clients dial"), profile);
    assertTrue(issue.contains("--endpoint=HOST   The name or address clients dial"), issue);
    assertTrue(!revoke.contains("--out") && !revoke.contains("--endpoint"), revoke);
    assertEquals(2, vpngw("profile", "--out", tmp.toString()));
    assertTrue(
        err.toString().contains("Missing required option: '--state-dir=DIR'"), err.toString());
  }

  @Test
  void badInputExitsWith1AndSaysWhatToFix() throws Exception {
    assertEquals(
        1,
        vpngw(
            "serve",
            "-f",
            tmp.resolve("missing.yaml").toString(),
            "--state-dir",
            tmp.resolve("state").toString()));
    assertTrue(err.toString().contains("missing.yaml does not exist"), err.toString());

    Path notAGateway = GatewayFixture.examples().resolve("clientcertificate.yaml");
    assertEquals(
        1,
        vpngw(
            "serve", "-f", notAGateway.toString(), "--state-dir", tmp.resolve("state").toString()));
    assertTrue(
        err.toString().contains("must hold a VpnGateway (kind: VpnGateway), found kind"
            + " ClientCertificate"),
        err.toString());

    assertEquals(
        1,
        vpngw(
            "issue",
            "-f",
            notAGateway.toString(),
            "--state-dir",
            tmp.resolve("empty").toString(),
            "--out",
            tmp.resolve("out").toString()));
    assertTrue(
        err.toString().contains("run 'vpngw serve -f GATEWAY.yaml --state-dir"), err.toString());

    assertEquals(1, vpngw("serve", "--config", tmp.resolve("gateway.yaml").toString()));
    assertTrue(err.toString().contains("--config must name the config.yaml"), err.toString());
  }

  /** {@code vpngw issue} of the example ClientCertificate (alice). */
  private int issueExample(Path state, Path outDir) throws Exception {
    return vpngw(
        "issue",
        "-f",
        GatewayFixture.examples().resolve("clientcertificate.yaml").toString(),
        "--state-dir",
        state.toString(),
        "--out",
        outDir.toString());
  }

  @Test
  void issueWritesCertificateKeyBundleAndProfilesThenRevokeListsEveryCertificateOfTheName()
      throws Exception {
    Path state = tmp.resolve("state");
    GatewayFixture.preparedState(state);
    Path outDir = tmp.resolve("alice");

    assertEquals(0, issueExample(state, outDir), err.toString());
    for (String f :
        new String[] {
          "tls.crt", "tls.key", "ca.crt", "keystore.p12", "keystore.p12.password", "client.ovpn"
        }) {
      assertTrue(Files.exists(outDir.resolve(f)), f + " missing; wrote " + out);
    }
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(outDir.resolve("tls.key"))));
    String ovpn = Files.readString(outDir.resolve("client.ovpn"));
    assertTrue(ovpn.contains("remote 127.0.0.1 1194 udp"), ovpn);
    assertTrue(ovpn.contains("<tls-crypt-v2>"), ovpn);
    X509Certificate alice = Pem.decodeCertificate(Files.readString(outDir.resolve("tls.crt")));
    assertTrue(alice.getSubjectX500Principal().getName().contains("OU=engineering"));

    // alice on a second device: a second certificate, the first one stays valid
    Path secondDevice = tmp.resolve("alice-phone");
    assertEquals(0, issueExample(state, secondDevice), err.toString());
    X509Certificate phone =
        Pem.decodeCertificate(Files.readString(secondDevice.resolve("tls.crt")));

    assertEquals(0, vpngw("revoke", "alice", "--state-dir", state.toString()), err.toString());
    assertTrue(out.toString().contains("revoked alice: 2 certificate(s)"), out.toString());
    assertTrue(new ConfigDirectoryLoader().load(state).crl().orElseThrow().isRevoked(alice));
    assertTrue(new ConfigDirectoryLoader().load(state).crl().orElseThrow().isRevoked(phone));
    assertEquals(0, vpngw("revoke", "alice", "--state-dir", state.toString()));
    assertTrue(out.toString().contains("alice was already revoked"), out.toString());
    assertEquals(1, vpngw("revoke", "bob", "--state-dir", state.toString()));
    assertTrue(err.toString().contains("no client certificate named 'bob'"), err.toString());
  }

  @Test
  void profileOfACertificateOnlyGatewaySaysWhyThereIsNone() throws Exception {
    Path state = tmp.resolve("state");
    GatewayFixture.preparedState(state);
    assertEquals(
        1,
        vpngw(
            "profile", "--state-dir", state.toString(), "--out", tmp.resolve("p").toString()));
    assertTrue(
        err.toString().contains("admits no client without a certificate"), err.toString());
    assertTrue(!Files.exists(tmp.resolve("p").resolve("client.ovpn")));
  }

  @Test
  void sessionsWithoutARunningGatewaySaysSo() throws Exception {
    Path state = tmp.resolve("state");
    GatewayFixture.preparedState(state);

    assertEquals(
        1, vpngw("sessions", "--state-dir", state.toString(), "--url", "http://127.0.0.1:1"));
    assertTrue(err.toString().contains("is 'vpngw serve' running?"), err.toString());
  }

  @Test
  void versionPrints() {
    assertEquals(0, vpngw("version"));
    assertTrue(out.toString().startsWith("vpngw "), out.toString());
  }

  @Test
  void standaloneBindsTheManagementApiToLoopbackUnlessTold() throws Exception {
    io.vpngateway.gateway.runtime.ReplicaIdentity one =
        io.vpngateway.gateway.runtime.ReplicaIdentity.standalone();
    ServeCommand standalone = new ServeCommand();
    new CommandLine(standalone).parseArgs("-f", "gw.yaml", "--state-dir", "state");
    var options = standalone.options(one, true);
    assertEquals("127.0.0.1", options.management().getAddress().getHostAddress());
    assertEquals(0, options.management().getPort(), "the config's port");
    assertEquals("127.0.0.1", options.health().getAddress().getHostAddress());

    ServeCommand pod = new ServeCommand();
    new CommandLine(pod).parseArgs("--config", "/etc/vpngw/config.yaml");
    assertEquals(
        "0.0.0.0", pod.options(one, false).management().getAddress().getHostAddress(),
        "in a pod the operator dials the pod IP");

    ServeCommand told = new ServeCommand();
    new CommandLine(told)
        .parseArgs("-f", "gw.yaml", "--state-dir", "state", "--management", "[::1]:9555",
            "--health", "0.0.0.0:9081");
    var toldOptions = told.options(one, true);
    assertEquals(new java.net.InetSocketAddress("::1", 9555), toldOptions.management());
    assertEquals(new java.net.InetSocketAddress("0.0.0.0", 9081), toldOptions.health());
  }
}
