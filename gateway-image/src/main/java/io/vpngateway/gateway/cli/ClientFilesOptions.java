package io.vpngateway.gateway.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --state-dir DIR --out DIR [--endpoint HOST]} of the commands that write a client's files
 * from a standalone gateway's state (issue, profile). What {@code --out} receives is said by each
 * command's resource bundle (key {@code out}), the description here being the fallback.
 */
final class ClientFilesOptions {
  @Mixin StateDirectoryOption state;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where to write the client's files.")
  Path out;

  @Option(
      names = "--endpoint",
      paramLabel = "HOST",
      description = "The name or address clients dial (default: the gateway's first endpoint).")
  String endpoint;
}
