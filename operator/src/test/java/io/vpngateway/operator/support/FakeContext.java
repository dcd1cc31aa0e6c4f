package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.ResourceOperations;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowCleanupResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

/**
 * A reconcile context holding only what a reconciler stores for its dependents, so a unit test can
 * call {@code desired(cr, context)} directly. Everything else is out of scope and throws.
 */
public final class FakeContext<P extends HasMetadata> implements Context<P> {
  private final Map<Object, Object> values = new HashMap<>();
  private final ManagedWorkflowAndDependentResourceContext workflow =
      new ManagedWorkflowAndDependentResourceContext() {
        @Override
        public <T> Optional<T> get(Object key, Class<T> type) {
          return Optional.ofNullable(values.get(key)).map(type::cast);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T put(Object key, T value) {
          return (T) values.put(key, value);
        }

        @Override
        public <T> T getMandatory(Object key, Class<T> type) {
          return get(key, type).orElseThrow(() -> new IllegalStateException("no " + key));
        }

        @Override
        public Optional<WorkflowReconcileResult> getWorkflowReconcileResult() {
          return Optional.empty();
        }

        @Override
        public Optional<WorkflowCleanupResult> getWorkflowCleanupResult() {
          return Optional.empty();
        }

        @Override
        public WorkflowReconcileResult reconcileManagedWorkflow() {
          throw new UnsupportedOperationException();
        }

        @Override
        public WorkflowCleanupResult cleanupManageWorkflow() {
          throw new UnsupportedOperationException();
        }
      };

  /** A context whose dependents read {@code value} under {@code key}. */
  public static <P extends HasMetadata, T> FakeContext<P> with(ContextKeys.Key<T> key, T value) {
    FakeContext<P> context = new FakeContext<>();
    ContextKeys.put(context, key, value);
    return context;
  }

  @Override
  public ManagedWorkflowAndDependentResourceContext managedWorkflowAndDependentResourceContext() {
    return workflow;
  }

  @Override
  public Optional<RetryInfo> getRetryInfo() {
    return Optional.empty();
  }

  @Override
  public <R> Set<R> getSecondaryResources(Class<R> type, boolean deduplicate) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <R> Stream<R> getSecondaryResourcesAsStream(Class<R> type, boolean deduplicate) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <R> Optional<R> getSecondaryResource(Class<R> type, String eventSourceName) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ControllerConfiguration<P> getControllerConfiguration() {
    throw new UnsupportedOperationException();
  }

  @Override
  public EventSourceRetriever<P> eventSourceRetriever() {
    throw new UnsupportedOperationException();
  }

  @Override
  public KubernetesClient getClient() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ResourceOperations<P> resourceOperations() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ExecutorService getWorkflowExecutorService() {
    throw new UnsupportedOperationException();
  }

  @Override
  public P getPrimaryResource() {
    throw new UnsupportedOperationException();
  }

  @Override
  public IndexedResourceCache<P> getPrimaryCache() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isNextReconciliationImminent() {
    return false;
  }

  @Override
  public boolean isPrimaryResourceDeleted() {
    return false;
  }

  @Override
  public boolean isPrimaryResourceFinalStateUnknown() {
    return false;
  }
}
