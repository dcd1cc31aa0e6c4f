package io.vpngateway.gateway.net;

import io.vpngateway.api.pool.Ipv4Cidr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Applies a {@link TunnelNetworkPlan} to the network namespace this process runs in, with the
 * standard tools: {@code ip} for addresses, MTU, link state and routes, {@code nft} for NAT and
 * forwarding rules, {@code /proc/sys} for IPv4 forwarding. Every step is idempotent ({@code ip addr
 * replace}, {@code ip route replace}, an nft table replaced in one transaction), so applying the
 * same plan twice, or a changed plan on reload, converges. {@link #close()} removes what was added:
 * the nft table and, if this process turned it on, forwarding; addresses and routes go with the TUN
 * interface.
 *
 * <p>All rules live in one table of our own ({@code ip vpngateway}), never in other tables, so the
 * pod's or host's own firewall is left alone.
 */
public final class HostNetworkConfigurator implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HostNetworkConfigurator.class.getName());
  static final String NFT_TABLE = "vpngateway";
  private static final Path PROC_SYS_NET = Path.of("/proc/sys/net");

  private final CommandRunner runner;
  private final Path procSysNet;
  private final Path ipForward;
  private String forwardingBefore;
  private boolean nftInstalled;

  public HostNetworkConfigurator(CommandRunner runner) {
    this(runner, PROC_SYS_NET);
  }

  HostNetworkConfigurator(CommandRunner runner, Path procSysNet) {
    this.runner = runner;
    this.procSysNet = procSysNet;
    this.ipForward = procSysNet.resolve("ipv4/ip_forward");
  }

  /** Configures interface, routes, forwarding and nft rules; throws on the first failure. */
  public synchronized void apply(TunnelNetworkPlan plan) {
    configureInterface(plan);
    for (Ipv4Cidr route : plan.extraRoutes()) {
      ip("route", "replace", route.toString(), "dev", plan.tunName());
    }
    enableForwarding();
    nft(rulesetFor(plan));
    nftInstalled = true;
    LOG.info(
        () ->
            "network ready: "
                + plan.tunName()
                + " "
                + plan.gatewayAddresses()
                + " mtu "
                + plan.mtu()
                + (plan.masquerade() ? ", masquerading " + plan.clientPools() : ""));
  }

  private void configureInterface(TunnelNetworkPlan plan) {
    String dev = plan.tunName();
    ip("link", "set", "dev", dev, "mtu", Integer.toString(plan.mtu()));
    // drop addresses a previous plan gave the interface but this one does not
    List<String> present = currentAddresses(dev);
    for (String stale : present) {
      if (!plan.gatewayAddresses().contains(stale)) {
        ip("addr", "del", stale, "dev", dev);
      }
    }
    for (String address : plan.gatewayAddresses()) {
      ip("addr", "replace", address, "dev", dev);
    }
    disableIpv6(dev);
    ip("link", "set", "dev", dev, "up");
  }

  private List<String> currentAddresses(String dev) {
    CommandRunner.Result r =
        runner.run(List.of("ip", "-o", "-4", "addr", "show", "dev", dev), null);
    if (!r.ok()) {
      throw new NetworkSetupException("interface " + dev + " not found: " + r.output());
    }
    List<String> addresses = new ArrayList<>();
    for (String line : r.output().split("\n")) {
      String[] f = line.trim().split("\\s+");
      for (int i = 0; i + 1 < f.length; i++) {
        if (f[i].equals("inet")) {
          addresses.add(f[i + 1]);
        }
      }
    }
    return addresses;
  }

  /** The nft script: replaces our table atomically (create-if-missing, delete, define). */
  static String rulesetFor(TunnelNetworkPlan plan) {
    String tun = '"' + plan.tunName() + '"';
    StringBuilder s = new StringBuilder();
    s.append("table ip ").append(NFT_TABLE).append("\n");
    s.append("delete table ip ").append(NFT_TABLE).append("\n");
    s.append("table ip ").append(NFT_TABLE).append(" {\n");
    if (plan.masquerade()) {
      String pools =
          plan.clientPools().stream().map(Ipv4Cidr::toString).collect(Collectors.joining(", "));
      s.append("  chain postrouting {\n");
      s.append("    type nat hook postrouting priority srcnat; policy accept;\n");
      s.append("    ip saddr { ")
          .append(pools)
          .append(" } oifname != ")
          .append(tun)
          .append(" masquerade\n");
      s.append("  }\n");
    }
    s.append("  chain forward {\n");
    s.append("    type filter hook forward priority filter; policy accept;\n");
    if (!plan.clientToClient()) {
      s.append("    iifname ").append(tun).append(" oifname ").append(tun).append(" drop\n");
    }
    // clients' TCP must fit the tunnel MTU even when path MTU discovery is blocked on the way
    s.append("    oifname ")
        .append(tun)
        .append(" tcp flags syn / syn,rst tcp option maxseg size set rt mtu\n");
    s.append("    iifname ")
        .append(tun)
        .append(" tcp flags syn / syn,rst tcp option maxseg size set rt mtu\n");
    s.append("  }\n");
    s.append("}\n");
    return s.toString();
  }

  /**
   * Tunnels carry IPv4 only; without this the kernel sends router solicitations and MLD reports
   * into the TUN, which the data plane can only count as drops. Best effort: in a pod {@code
   * /proc/sys} may be read-only, and nothing breaks if IPv6 stays on.
   */
  private void disableIpv6(String dev) {
    Path knob = procSysNet.resolve("ipv6/conf").resolve(dev).resolve("disable_ipv6");
    if (!Files.exists(knob)) {
      return;
    }
    try {
      Files.writeString(knob, "1\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      LOG.fine(() -> "IPv6 stays enabled on " + dev + ": " + e.getMessage());
    }
  }

  private void enableForwarding() {
    String current = readForwarding();
    if ("1".equals(current)) {
      return;
    }
    try {
      Files.writeString(ipForward, "1\n", StandardCharsets.US_ASCII);
      forwardingBefore = current;
    } catch (IOException e) {
      throw new NetworkSetupException(
          "IPv4 forwarding is off and "
              + ipForward
              + " is not writable ("
              + e.getMessage()
              + "); in Kubernetes set the pod sysctl"
              + " net.ipv4.ip_forward=1",
          e);
    }
  }

  private String readForwarding() {
    try {
      return Files.readString(ipForward, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new NetworkSetupException("cannot read " + ipForward + ": " + e.getMessage(), e);
    }
  }

  private void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    CommandRunner.Result r = runner.run(cmd, null);
    if (!r.ok()) {
      throw new NetworkSetupException(String.join(" ", cmd) + " failed: " + r.output());
    }
  }

  private void nft(String script) {
    CommandRunner.Result r = runner.run(List.of("nft", "-f", "-"), script);
    if (!r.ok()) {
      throw new NetworkSetupException(
          "nft rejected the gateway ruleset: " + r.output() + "\n--- ruleset ---\n" + script);
    }
  }

  /** Removes the nft table and restores forwarding if this process turned it on. */
  @Override
  public synchronized void close() {
    if (nftInstalled) {
      CommandRunner.Result r = runner.run(List.of("nft", "delete", "table", "ip", NFT_TABLE), null);
      if (!r.ok()) {
        LOG.warning("could not delete nft table " + NFT_TABLE + ": " + r.output());
      }
      nftInstalled = false;
    }
    if (forwardingBefore != null) {
      try {
        Files.writeString(ipForward, forwardingBefore + "\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        LOG.warning("could not restore " + ipForward + ": " + e.getMessage());
      }
      forwardingBefore = null;
    }
  }
}
