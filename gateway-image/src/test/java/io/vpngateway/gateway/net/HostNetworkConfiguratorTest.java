package io.vpngateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.tun.TunDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Applies the gateway's network plan inside a lab namespace and reads back what the kernel has. */
class HostNetworkConfiguratorTest {
  private static TunnelNetworkPlan plan(String tun, boolean nat, boolean c2c, String... addrs) {
    return new TunnelNetworkPlan(
        tun,
        1400,
        List.of(addrs),
        List.of(Ipv4Cidr.parse("10.99.0.0/16")),
        nat,
        List.of(Ipv4Cidr.parse("10.252.0.0/24"), Ipv4Cidr.parse("10.252.2.0/24")),
        c2c);
  }

  @Test
  void appliesAddressesRoutesForwardingAndNatIdempotentlyAndRemovesThemOnClose() throws Exception {
    Prerequisites.requireBinary("nft");
    try (NetnsLab lab = NetnsLab.create("netcfg", "10.252.10.0/24", "10.252.11.0/24")) {
      Netns gw = lab.gateway();
      TunDevice tun = gw.callInside(() -> TunDevice.open("vgnet0", 1));
      try {
        HostNetworkConfigurator cfg = new HostNetworkConfigurator(new ProcessCommandRunner());
        gw.callInside(
            () -> {
              cfg.apply(plan("vgnet0", true, false, "10.252.0.1/24", "10.252.2.1/24"));
              cfg.apply(plan("vgnet0", true, false, "10.252.0.1/24", "10.252.2.1/24")); // again
              return null;
            });
        String addr = gw.execOk("ip", "-o", "-4", "addr", "show", "dev", "vgnet0").output();
        assertTrue(addr.contains("10.252.0.1/24") && addr.contains("10.252.2.1/24"), addr);
        assertEquals(2, addr.strip().split("\n").length, "no duplicate addresses: " + addr);
        String link = gw.execOk("ip", "link", "show", "dev", "vgnet0").output();
        assertTrue(link.contains("mtu 1400") && link.contains(",UP"), link);
        String routes = gw.execOk("ip", "route", "show", "dev", "vgnet0").output();
        assertTrue(routes.contains("10.99.0.0/16"), routes);
        assertEquals("1", gw.execOk("cat", "/proc/sys/net/ipv4/ip_forward").output().trim());
        assertEquals(
            "1", gw.execOk("cat", "/proc/sys/net/ipv6/conf/vgnet0/disable_ipv6").output().trim());
        String rules = gw.execOk("nft", "list", "table", "ip", "vpngateway").output();
        assertTrue(
            rules.contains(
                "ip saddr { 10.252.0.0/24, 10.252.2.0/24 } oifname != \"vgnet0\"" + " masquerade"),
            rules);
        assertTrue(rules.contains("iifname \"vgnet0\" oifname \"vgnet0\" drop"), rules);
        assertEquals(
            1,
            gw.execOk("nft", "list", "tables").output().split("vpngateway", -1).length - 1,
            "one table after two applies");

        // a reload with one pool fewer, client-to-client on and no NAT converges
        gw.callInside(
            () -> {
              cfg.apply(plan("vgnet0", false, true, "10.252.0.1/24"));
              return null;
            });
        addr = gw.execOk("ip", "-o", "-4", "addr", "show", "dev", "vgnet0").output();
        assertFalse(addr.contains("10.252.2.1"), addr);
        rules = gw.execOk("nft", "list", "table", "ip", "vpngateway").output();
        assertFalse(rules.contains("masquerade") || rules.contains("drop"), rules);

        gw.callInside(
            () -> {
              cfg.close();
              return null;
            });
        assertFalse(gw.exec("nft", "list", "table", "ip", "vpngateway").ok(), "table removed");
        assertEquals("0", gw.execOk("cat", "/proc/sys/net/ipv4/ip_forward").output().trim());
      } finally {
        tun.close();
      }
      // the root namespace never saw the table
      assertFalse(lab.client().exec("nft", "list", "table", "ip", "vpngateway").ok());
    }
  }

  @Test
  void aMissingInterfaceGivesAClearError() throws Exception {
    try (NetnsLab lab = NetnsLab.create("netcfgerr", "10.252.12.0/24", "10.252.13.0/24")) {
      HostNetworkConfigurator cfg = new HostNetworkConfigurator(new ProcessCommandRunner());
      NetworkSetupException e =
          assertThrows(
              NetworkSetupException.class,
              () ->
                  lab.gateway()
                      .callInside(
                          () -> {
                            cfg.apply(plan("vgnothere0", true, false, "10.252.0.1/24"));
                            return null;
                          }));
      assertTrue(e.getMessage().contains("vgnothere0"), e.getMessage());
    }
  }

  @Test
  void planForPoolsPutsTheGatewayOnTheFirstUsableAddressOfEachPool() {
    TunnelNetworkPlan p =
        TunnelNetworkPlan.forPools(
            "vg0",
            1420,
            List.of(
                io.vpngateway.api.pool.PoolSpec.of("10.8.0.0/24", 0),
                io.vpngateway.api.pool.PoolSpec.of("172.20.0.0/16", 5, "eng")),
            true,
            false);
    assertEquals(List.of("10.8.0.1/24", "172.20.0.1/16"), p.gatewayAddresses());
    assertEquals("[10.8.0.0/24, 172.20.0.0/16]", p.clientPools().toString());
    String rules = HostNetworkConfigurator.rulesetFor(p);
    assertTrue(rules.startsWith("table ip vpngateway\ndelete table ip vpngateway\n"), rules);
    assertTrue(
        rules.contains(
            "ip saddr { 10.8.0.0/24, 172.20.0.0/16 } oifname != \"vg0\"" + " masquerade"),
        rules);
  }

  @Test
  void planRejectsBadValues() {
    assertThrows(
        IllegalArgumentException.class, () -> plan("bad name!", true, false, "10.0.0.1/24"));
    assertThrows(IllegalArgumentException.class, () -> plan("tun0", true, false, "10.0.0.1"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TunnelNetworkPlan("tun0", 100, List.of(), List.of(), false, List.of(), false));
  }
}
