package io.vpngateway.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vpngw version}. */
@Command(name = "version", description = "Print the gateway version.")
final class VersionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().getOut().println("vpngw " + version());
  }

  /** From the jar manifest (Implementation-Version); {@code dev} when run from classes. */
  static String version() {
    String v = VersionCommand.class.getPackage().getImplementationVersion();
    return (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")";
  }

  /** Serves {@code vpngw --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vpngw " + version()};
    }
  }
}
