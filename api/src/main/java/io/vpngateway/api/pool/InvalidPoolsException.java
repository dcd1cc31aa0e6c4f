package io.vpngateway.api.pool;

import java.util.List;

/** The pool list cannot be used; {@link #problems()} lists every reason, one sentence each. */
public final class InvalidPoolsException extends IllegalArgumentException {
  private final List<String> problems;

  public InvalidPoolsException(List<String> problems) {
    super("invalid clientAddressPools: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
