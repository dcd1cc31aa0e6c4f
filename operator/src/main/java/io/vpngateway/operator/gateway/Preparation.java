package io.vpngateway.operator.gateway;

import io.vpngateway.api.config.ConfigError;
import java.util.List;

/** The outcome of preparing a reconcile: inputs for the workflow, or why it must not run. */
sealed interface Preparation {
  /** Everything the dependents need; the workflow runs. */
  record Prepared(GatewayInputs inputs) implements Preparation {}

  /** The spec is wrong in a way the schema cannot catch; nothing is touched. */
  record InvalidSpec(List<ConfigError> errors) implements Preparation {}

  /** Referenced Secrets are missing; retried when they appear (the Secret informer). */
  record MissingSecrets(List<String> messages) implements Preparation {}

  /** The CA Secret vanished after the CA was made; never replaced by a new CA. */
  record CaSecretLost(String secretName) implements Preparation {}
}
