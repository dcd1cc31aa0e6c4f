package io.vpngateway.gateway.cli;

import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.gateway.standalone.ClientIssuer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vpngw profile --state-dir DIR --out DIR}: the password-only OpenVPN profile. */
@Command(
    name = "profile",
    resourceBundle = "io.vpngateway.gateway.cli.ProfileCommand",
    description =
        "Write the generic OpenVPN profile for users without a client certificate (a gateway with"
            + " radius or oidc and requireCertificateAndPassword off).")
final class ProfileCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClientFilesOptions files;

  @Override
  public Integer call() throws Exception {
    List<Path> written =
        new ClientIssuer(files.state.open())
            .passwordOnlyProfile(files.endpoint, files.out, Instant.now());
    PrintWriter o = spec.commandLine().getOut();
    o.println("wrote the password-only profile:");
    written.forEach(f -> o.println("  " + f));
    o.println("connect with: sudo openvpn --config " + files.out.resolve(ClientProfiles.OPENVPN));
    o.flush();
    return 0;
  }
}
