package io.vpngateway.api.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config document (or the spec it came from) that cannot be used; lists every problem. */
public final class InvalidConfigException extends Exception {
  private final List<ConfigError> errors;

  public InvalidConfigException(List<ConfigError> errors) {
    super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<ConfigError> errors() {
    return errors;
  }
}
