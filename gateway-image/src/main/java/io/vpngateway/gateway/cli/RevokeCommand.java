package io.vpngateway.gateway.cli;

import io.vpngateway.api.pki.Certificates;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpngw revoke NAME --state-dir DIR}. */
@Command(
    name = "revoke",
    description =
        "Revoke every unexpired client certificate 'vpngw issue' made for NAME (each issue of a"
            + " name adds one). A running 'vpngw serve' on the same state directory ends their"
            + " sessions within seconds.")
final class RevokeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The ClientCertificate's name.")
  String name;

  @Mixin StateDirectoryOption stateDir;

  @Override
  public Integer call() throws Exception {
    StateDirectory state = stateDir.open();
    StateDirectory.Revocation result = state.revokeIssued(name, Instant.now());
    PrintWriter out = spec.commandLine().getOut();
    if (!result.revoked().isEmpty()) {
      out.println(
          "revoked "
              + name
              + ": "
              + result.revoked().size()
              + " certificate(s), serial "
              + serials(result.revoked())
              + "; the CRL in "
              + state.path()
              + " is updated");
    }
    if (!result.alreadyRevoked().isEmpty()) {
      out.println(
          (result.revoked().isEmpty() ? name + " was already revoked" : "already revoked")
              + ": serial "
              + serials(result.alreadyRevoked()));
    }
    if (result.revoked().isEmpty() && result.alreadyRevoked().isEmpty()) {
      out.println(
          "every certificate issued to " + name + " has expired; there is nothing to revoke");
    }
    out.flush();
    return 0;
  }

  private static String serials(List<BigInteger> serials) {
    return serials.stream()
        .map(s -> Certificates.serialHex(s).toUpperCase(java.util.Locale.ROOT))
        .collect(Collectors.joining(", "));
  }
}
