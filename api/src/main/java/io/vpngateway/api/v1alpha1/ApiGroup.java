package io.vpngateway.api.v1alpha1;

/** The API group and version of this package's custom resources. */
public final class ApiGroup {
  public static final String NAME = "vpngateway.io";
  public static final String VERSION = "v1alpha1";

  private ApiGroup() {}
}
