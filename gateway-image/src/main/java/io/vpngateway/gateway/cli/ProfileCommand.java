package io.vpngateway.gateway.cli;

import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.gateway.standalone.ClientIssuer;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vpngw profile --state-dir DIR --out DIR}: the password-only OpenVPN profile. */
@Command(
    name = "profile",
    description =
        "Write the generic OpenVPN profile for users without a client certificate (a gateway with"
            + " radius or oidc and requireCertificateAndPassword off).")
final class ProfileCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
      description = "Where to write client.ovpn and ca.crt.")
  Path out;

  @Option(
      names = "--endpoint",
      paramLabel = "HOST",
      description = "The name or address clients dial (default: the gateway's first endpoint).")
  String endpoint;

  @Override
  public Integer call() throws Exception {
    StateDirectory state = StateDirectory.open(stateDir.toAbsolutePath());
    List<Path> files =
        new ClientIssuer(state).passwordOnlyProfile(endpoint, out, Instant.now());
    PrintWriter o = spec.commandLine().getOut();
    o.println("wrote the password-only profile:");
    files.forEach(f -> o.println("  " + f));
    o.println("connect with: sudo openvpn --config " + out.resolve(ClientProfiles.OPENVPN));
    o.flush();
    return 0;
  }
}
