package io.vpngateway.gateway.net;

import java.util.List;

/** Runs a host networking command ({@code ip}, {@code nft}); a seam for tests and dry runs. */
@FunctionalInterface
public interface CommandRunner {
  /**
   * Runs {@code command} with {@code stdin} (may be null) and returns its exit code and combined
   * output. Never throws for a non-zero exit; throws {@link NetworkSetupException} when the command
   * cannot be started or times out.
   */
  Result run(List<String> command, String stdin);

  record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }
}
