package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Status writes: only when the status changed, and only onto the spec they were computed from. */
public final class StatusPatches {
  private StatusPatches() {}

  /** Whether two statuses serialise identically (conditions keep their transition times). */
  public static boolean unchanged(Object previous, Object next) {
    return previous != null
        && Objects.equals(Serialization.asJson(previous), Serialization.asJson(next));
  }

  /**
   * Replaces the status of {@code resource} with {@code status}, conditional on the resourceVersion
   * this reconcile read: a JSON patch (RFC 6902) of the status subresource that also sets
   * metadata.resourceVersion, which the API server takes as the optimistic-concurrency
   * precondition. If the spec changed meanwhile it answers 409 Conflict: the reconcile fails,
   * {@link #isConflict} lets the SDK retry it with the new spec, and no status computed from the
   * old spec lands on the new one.
   *
   * <p>Why not {@code UpdateControl.patchStatus}: without server-side apply the SDK strips the
   * resourceVersion and sends an unconditional JSON patch, and it drops the watch events older
   * than its own write (JOSDK 5.3 event filtering, operator-framework/java-operator-sdk#3398), so
   * a spec edit that lands between this reconcile's read and its status write is never
   * reconciled. (Not a PUT of the status either: the mock API server ignores its
   * resourceVersion.)
   */
  public static <S, R extends CustomResource<?, S>> void write(
      Context<R> context, R resource, S status) {
    String patch = conditional(resource, status, context.getClient().getKubernetesSerialization());
    context
        .resourceOperations()
        .resourcePatch(
            resource,
            r ->
                context
                    .getClient()
                    .resource(r)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON), patch),
            context.eventSourceRetriever().getControllerEventSource());
  }

  /** The JSON patch of {@link #write}: resourceVersion as read, then the whole status. */
  public static String conditional(
      HasMetadata resource, Object status, KubernetesSerialization serialization) {
    return serialization.asJson(
        List.of(
            Map.of(
                "op", "replace",
                "path", "/metadata/resourceVersion",
                "value", resource.getMetadata().getResourceVersion()),
            Map.of("op", "add", "path", "/status", "value", status)));
  }

  /** Whether a reconcile failed on a stale resourceVersion (then it is retried, nothing wrong). */
  public static boolean isConflict(Exception e) {
    return e instanceof KubernetesClientException k
        && k.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }

  /**
   * {@code empty} with the name and namespace of {@code resource} and {@code status}: the error
   * status patch (unconditional: the SDK strips the resourceVersion; a retry follows anyway).
   */
  public static <S, R extends CustomResource<?, S>> R of(R resource, S status, R empty) {
    empty.getMetadata().setName(resource.getMetadata().getName());
    empty.getMetadata().setNamespace(resource.getMetadata().getNamespace());
    empty.getMetadata().setResourceVersion(resource.getMetadata().getResourceVersion());
    empty.setStatus(status);
    return empty;
  }
}
