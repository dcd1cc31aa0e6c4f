package io.vpngateway.testing;

import java.util.List;

/** The outcome of a short command run in a lab namespace. */
public record ExecResult(List<String> command, int exitCode, String output) {
  public boolean ok() {
    return exitCode == 0;
  }

  /** Returns this when the command succeeded, else throws with its output. */
  public ExecResult orThrow() {
    if (!ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + exitCode + ":\n" + output);
    }
    return this;
  }
}
