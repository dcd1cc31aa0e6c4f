package io.vpngateway.gateway.cli;

import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.gateway.standalone.ClientIssuer;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vpngw issue -f CLIENTCERTIFICATE.yaml --state-dir DIR --out DIR}. */
@Command(
    name = "issue",
    description = "Issue a client certificate and its profiles from a standalone gateway's CA.")
final class IssueCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "CLIENTCERTIFICATE.yaml",
      description = "A ClientCertificate resource file.")
  Path file;

  @Option(
      names = "--state-dir",
      required = true,
      paramLabel = "DIR",
      description = "The standalone gateway's state directory.")
  Path stateDir;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where to write the certificate, key, PKCS#12 and profiles.")
  Path out;

  @Option(
      names = "--endpoint",
      paramLabel = "HOST",
      description = "The name or address clients dial (default: the gateway's first endpoint).")
  String endpoint;

  @Override
  public Integer call() throws Exception {
    ClientCertificate request =
        CustomResourceFiles.read(file, ClientCertificate.class, "ClientCertificate");
    StateDirectory state = StateDirectory.open(stateDir.toAbsolutePath());
    ClientIssuer.Result result =
        new ClientIssuer(state).issue(request, endpoint, out, Instant.now());
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        "issued "
            + result.name()
            + " (serial "
            + result.certificate().serialNumberHex()
            + ", SHA-1 "
            + result.certificate().sha1Thumbprint()
            + ", valid until "
            + result.certificate().notAfter()
            + ")");
    result.files().forEach(f -> o.println("  " + f));
    o.println("connect with: sudo openvpn --config " + out.resolve(ClientProfiles.OPENVPN));
    o.flush();
    return 0;
  }
}
