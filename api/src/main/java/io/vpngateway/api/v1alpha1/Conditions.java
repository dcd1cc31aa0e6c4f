package io.vpngateway.api.v1alpha1;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Helpers to read and set conditions in a status list without churning transition times. */
public final class Conditions {
  private Conditions() {}

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst();
  }

  /**
   * Returns a copy of {@code conditions} with {@code updated} in place of the condition of the same
   * type. The transition time is kept from the existing condition unless the status changed.
   */
  public static List<Condition> set(List<Condition> conditions, Condition updated, Instant now) {
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    if (conditions != null) {
      for (Condition existing : conditions) {
        if (existing.type.equals(updated.type)) {
          updated.lastTransitionTime =
              existing.status.equals(updated.status) && existing.lastTransitionTime != null
                  ? existing.lastTransitionTime
                  : now.truncatedTo(ChronoUnit.SECONDS).toString();
          result.add(updated);
          replaced = true;
        } else {
          result.add(existing);
        }
      }
    }
    if (!replaced) {
      updated.lastTransitionTime = now.truncatedTo(ChronoUnit.SECONDS).toString();
      result.add(updated);
    }
    return result;
  }
}
