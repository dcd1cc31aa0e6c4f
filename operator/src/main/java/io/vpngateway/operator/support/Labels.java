package io.vpngateway.operator.support;

import io.vpngateway.api.v1alpha1.ApiGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels on every object the operator makes; informers select on {@link #MANAGED_BY}. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** Name of the VpnGateway an object belongs to (also on ClientCertificate Secrets). */
  public static final String GATEWAY = ApiGroup.NAME + "/gateway";

  public static final String APP = "vpngateway";
  public static final String OPERATOR = "vpngateway-operator";

  /** Label selector of informers on objects this operator made. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private Labels() {}

  /** Labels of an object made for gateway {@code gateway}, component {@code component}. */
  public static Map<String, String> of(String gateway, String component) {
    Map<String, String> labels = new LinkedHashMap<>(selector(gateway));
    labels.put(COMPONENT, component);
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(GATEWAY, gateway);
    return labels;
  }

  /**
   * The gateway pods' selector: stable for the gateway's lifetime (StatefulSet selectors are
   * immutable).
   */
  public static Map<String, String> selector(String gateway) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, gateway);
    return labels;
  }
}
