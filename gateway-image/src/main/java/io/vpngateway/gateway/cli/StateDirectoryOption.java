package io.vpngateway.gateway.cli;

import io.vpngateway.gateway.standalone.StandaloneException;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir DIR} of the commands that work on a standalone gateway's state directory. */
final class StateDirectoryOption {
  @Option(
      names = "--state-dir",
      required = true,
      paramLabel = "DIR",
      description = "The standalone gateway's state directory.")
  Path stateDir;

  StateDirectory open() throws StandaloneException {
    return StateDirectory.open(stateDir.toAbsolutePath());
  }
}
