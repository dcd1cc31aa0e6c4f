package io.vpngateway.operator.support;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Objects;

/** Status patches that carry only name, namespace and status, written only when status changed. */
public final class StatusPatches {
  private StatusPatches() {}

  /** Whether two statuses serialise identically (conditions keep their transition times). */
  public static boolean unchanged(Object previous, Object next) {
    return previous != null
        && Objects.equals(Serialization.asJson(previous), Serialization.asJson(next));
  }

  /**
   * {@code empty} with the name, namespace and resourceVersion of {@code resource} and {@code
   * status}. The resourceVersion makes the patch conditional: if the spec changed while this
   * reconcile ran, the API server answers 409, the SDK retries, and the new spec is reconciled
   * (instead of a status computed from the old spec landing on the new one).
   */
  public static <S, R extends CustomResource<?, S>> R of(R resource, S status, R empty) {
    empty.getMetadata().setName(resource.getMetadata().getName());
    empty.getMetadata().setNamespace(resource.getMetadata().getNamespace());
    empty.getMetadata().setResourceVersion(resource.getMetadata().getResourceVersion());
    empty.setStatus(status);
    return empty;
  }
}
