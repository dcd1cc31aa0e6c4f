package io.vpngateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetnsLabTest {
  @Test
  void neighboursReachEachOtherButTheClientCannotCrossTheGatewayOnItsOwn() throws Exception {
    String clientNs;
    Path workDir;
    try (NetnsLab lab = NetnsLab.create("labtest", "10.251.1.0/24", "10.251.2.0/24")) {
      clientNs = lab.client().name();
      workDir = lab.workDir();
      assertTrue(lab.ping(lab.client(), lab.gatewayOuterAddress(), 2).allReceived());
      assertTrue(lab.ping(lab.backend(), lab.gatewayBackendAddress(), 2).allReceived());
      // no route from the client to the backend network: nothing leaks past the gateway
      assertEquals(0, lab.ping(lab.client(), lab.backendAddress(), 1).received());
      assertFalse(lab.client().exec("ip", "route", "get", "1.1.1.1").ok(), "no default route");
    }
    assertFalse(Files.exists(Path.of("/run/netns", clientNs)), "namespace deleted");
    assertFalse(Files.exists(workDir), "work dir deleted");
  }

  @Test
  void iperf3MeasuresThroughputBetweenNamespaces() throws Exception {
    Prerequisites.requireBinary("iperf3");
    try (NetnsLab lab = NetnsLab.create("iperf", "10.251.3.0/24", "10.251.4.0/24")) {
      IperfResult r = lab.iperf3(lab.gateway(), lab.gatewayOuterAddress(), lab.client(), 1);
      assertTrue(r.megabitsPerSecond() > 10, "veth carries more than 10 Mbit/s: " + r);
    }
  }

  @Test
  void longLivedProcessesAreStoppedOnClose() throws Exception {
    LabProcess sleeper;
    try (NetnsLab lab = NetnsLab.create("procs", "10.251.5.0/24", "10.251.6.0/24")) {
      sleeper = lab.backend().start("sleeper", "sh", "-c", "echo started; exec sleep 300");
      sleeper.awaitLine("^started$", Duration.ofSeconds(10));
      assertTrue(sleeper.isAlive());
    }
    assertFalse(sleeper.isAlive(), "process stopped by close()");
  }

  @Test
  void childJvmRunsInsideTheNamespaceWithTheTestClasspath() throws Exception {
    try (NetnsLab lab = NetnsLab.create("jvm", "10.251.7.0/24", "10.251.8.0/24")) {
      LabProcess jvm =
          lab.startJava(
              lab.gateway(),
              "echo",
              true,
              List.of("-Xmx64m"),
              LabEchoMain.class.getName(),
              "a",
              "b");
      String line = jvm.awaitLine("^java \\d+ interfaces", Duration.ofSeconds(30));
      assertTrue(line.contains("g-client") && line.contains("g-backend"), line);
      jvm.awaitLine("^ready a b$", Duration.ofSeconds(5));
      assertEquals(0, jvm.awaitExit(Duration.ofSeconds(10)));
    }
  }

  @Test
  void callInsideRunsJavaCodeInTheNamespace() throws Exception {
    try (NetnsLab lab = NetnsLab.create("setns", "10.251.9.0/24", "10.251.10.0/24")) {
      String names =
          lab.backend()
              .callInside(
                  () ->
                      java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                          .toString());
      assertTrue(names.contains("b-gw"), names);
    }
  }
}
