package io.vpngateway.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Leader election for replicas of the operator Deployment: one reconciles, the others wait on the
 * Lease. QOSDK picks this bean up in the {@code prod} profile only ({@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles}), so tests run without a Lease. The
 * Lease lives in the operator's own namespace (read from the pod's service account).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public static final String LEASE_NAME = "vpngateway-operator-leader";

  public LeaderElection() {
    super(LEASE_NAME);
  }
}
