package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Typed keys for values a reconciler computes before it invokes its workflow, read back by the
 * dependents' {@code desired()} (the Keycloak {@code ContextUtils} pattern).
 */
public final class ContextKeys {
  /** A key naming the type of its value. */
  public record Key<T>(String name, Class<T> type) {}

  private ContextKeys() {}

  public static <T> void put(Context<? extends HasMetadata> context, Key<T> key, T value) {
    context.managedWorkflowAndDependentResourceContext().put(key.name(), value);
  }

  /** The value; fails loudly when the reconciler did not store it (a programming error). */
  public static <T> T get(Context<? extends HasMetadata> context, Key<T> key) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(key.name(), key.type());
  }
}
