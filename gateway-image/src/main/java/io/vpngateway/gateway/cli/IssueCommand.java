package io.vpngateway.gateway.cli;

import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.gateway.standalone.ClientIssuer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vpngw issue -f CLIENTCERTIFICATE.yaml --state-dir DIR --out DIR}. */
@Command(
    name = "issue",
    resourceBundle = "io.vpngateway.gateway.cli.IssueCommand",
    description = "Issue a client certificate and its profiles from a standalone gateway's CA.")
final class IssueCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "CLIENTCERTIFICATE.yaml",
      description = "A ClientCertificate resource file.")
  Path file;

  @Mixin ClientFilesOptions files;

  @Override
  public Integer call() throws Exception {
    ClientCertificate request =
        CustomResourceFiles.read(file, ClientCertificate.class, "ClientCertificate");
    ClientIssuer.Result result =
        new ClientIssuer(files.state.open())
            .issue(request, files.endpoint, files.out, Instant.now());
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
    o.println("connect with: sudo openvpn --config " + files.out.resolve(ClientProfiles.OPENVPN));
    o.flush();
    return 0;
  }
}
