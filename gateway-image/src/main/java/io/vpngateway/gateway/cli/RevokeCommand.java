package io.vpngateway.gateway.cli;

import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vpngw revoke NAME --state-dir DIR}. */
@Command(
    name = "revoke",
    description =
        "Revoke a client certificate issued by 'vpngw issue'. A running 'vpngw serve' on the same"
            + " state directory ends its sessions within seconds.")
final class RevokeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The ClientCertificate's name.")
  String name;

  @Option(
      names = "--state-dir",
      required = true,
      paramLabel = "DIR",
      description = "The standalone gateway's state directory.")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    StateDirectory state = StateDirectory.open(stateDir.toAbsolutePath());
    Optional<BigInteger> revoked = state.revokeIssued(name, Instant.now());
    PrintWriter out = spec.commandLine().getOut();
    if (revoked.isPresent()) {
      out.println(
          "revoked "
              + name
              + " (serial "
              + revoked.get().toString(16).toUpperCase()
              + "); the CRL in "
              + state.path()
              + " is updated");
    } else {
      out.println(name + " was already revoked");
    }
    out.flush();
    return 0;
  }
}
