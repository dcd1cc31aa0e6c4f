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

  /** {@code empty} with the name and namespace of {@code resource} and {@code status}. */
  public static <S, R extends CustomResource<?, S>> R of(R resource, S status, R empty) {
    empty.getMetadata().setName(resource.getMetadata().getName());
    empty.getMetadata().setNamespace(resource.getMetadata().getNamespace());
    empty.setStatus(status);
    return empty;
  }
}
