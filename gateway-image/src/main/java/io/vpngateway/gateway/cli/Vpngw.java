package io.vpngateway.gateway.cli;

import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.gateway.standalone.StandaloneException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vpngw} command: runs the gateway and manages a standalone one. Exit codes: 0 success,
 * 2 usage error (unknown option, missing argument), 1 any other failure; errors are one line that
 * says what to fix.
 */
@Command(
    name = "vpngw",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Point-to-site VPN gateway (OpenVPN) and its standalone tools.",
    subcommands = {
      ServeCommand.class,
      IssueCommand.class,
      ProfileCommand.class,
      RevokeCommand.class,
      SessionsCommand.class,
      DisconnectCommand.class,
      VersionCommand.class
    })
public final class Vpngw implements Runnable {
  /** The system property naming the log manager class, read once, at the first logger. */
  private static final String LOG_MANAGER = "java.util.logging.manager";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    installLogManager();
    System.exit(run(args));
  }

  /** {@link ShutdownLogManager}, unless another is named; before the first logger. */
  static void installLogManager() {
    if (System.getProperty(LOG_MANAGER) == null) {
      System.setProperty(LOG_MANAGER, ShutdownLogManager.class.getName());
    }
  }

  /** Runs the command line; returns the exit code. */
  public static int run(String... args) {
    LogFormat.install();
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Vpngw());
    cli.setExecutionExceptionHandler(Vpngw::handleFailure);
    return cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Expected failures print their message only; unexpected ones also their type. */
  private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof StandaloneException
        || e instanceof InvalidConfigException
        || e instanceof UserException) {
      err.println("vpngw " + cli.getCommandName() + ": " + e.getMessage());
    } else {
      err.println(
          "vpngw "
              + cli.getCommandName()
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage());
    }
    err.flush();
    return 1;
  }
}
