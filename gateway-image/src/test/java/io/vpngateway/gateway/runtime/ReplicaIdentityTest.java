package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReplicaIdentityTest {
  @Test
  void ordinalComesFromTheStatefulSetPodName() {
    assertEquals(2, ReplicaIdentity.fromHostname("corp-gw-2", 3).ordinal());
    assertEquals(0, ReplicaIdentity.fromHostname("laptop", 1).ordinal());
    assertThrows(IllegalArgumentException.class, () -> ReplicaIdentity.fromHostname("gw-3", 3));
  }

  @Test
  void connectionSharesAddUpToTheGatewayLimit() {
    int total = 0;
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      total += new ReplicaIdentity(ordinal, 3).shareOf(250);
    }
    assertEquals(250, total);
    assertEquals(84, new ReplicaIdentity(0, 3).shareOf(250));
    assertEquals(83, new ReplicaIdentity(2, 3).shareOf(250));
  }
}
