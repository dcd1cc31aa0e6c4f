package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.lab.QemuGuest;
import io.vpngateway.gateway.openvpn.lab.OpenVpnClients;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Mode;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Phase;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSTP bench of {@code bench/sstp-vs-openvpn-tcp.sh}: throughput and the gateway's CPU per
 * Gbit through SSTP with the real client (pppd 2.4.9 + sstpc 1.0.18 in the QEMU guest, EAP-TLS
 * with a ClientCertificate, TLS 1.2) and, in the same run against the same {@code vpngw serve} on
 * the same shared TCP port, the real openvpn 2.6 TCP client in a lab namespace; iperf3 uploads and
 * downloads of {@code seconds} each, {@code reps} times, interleaved per repetition.
 *
 * <p>The guest's CPU is emulated (QEMU TCG, one vCPU), so SSTP throughput is bounded by the client,
 * not the server: compare CPU per Gbit, not Mbit/s. The gateway's CPU is its process's user +
 * system time (/proc/PID/stat) between marks the guest prints around each transfer.
 */
public final class SstpBench {
  private static final Duration BOOT = Duration.ofSeconds(300);
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: sstpbench
        namespace: default
      spec:
        protocols: [OpenVPN, SSTP]
        clientAddressPools:
          - cidr: 10.217.0.0/24
        routing:
          routes: [10.216.2.0/24]
        authentication:
          certificate:
            builtInCa: true
      """;
  private static final String CLIENT_CERTIFICATE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: ClientCertificate
      metadata:
        name: bench
        namespace: default
      spec:
        gatewayRef:
          name: sstpbench
        commonName: bench
        duration: 24h
        privateKey:
          algorithm: ECDSA
          size: 256
        secretName: bench-vpn
      """;

  private SstpBench() {}

  /** {@code SstpBench [seconds] [reps]}. */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    if (seconds < 1 || seconds > 10 || reps < 1 || reps > 10) {
      throw new IllegalArgumentException("seconds 1..10, reps 1..10");
    }
    QemuGuest.require();
    List<String[]> rows = new ArrayList<>();
    try (NetnsLab lab = NetnsLab.create("sstpbench", "10.216.1.0/24", "10.216.2.0/24")) {
      lab.routeClientPoolFromBackend("10.217.0.0/24");
      Path dir = lab.workDir().resolve("gateway");
      StateDirectory state = ServedGateway.prepare(dir,
          GatewayFile.parse(GATEWAY_FILE, "sstp bench"), lab.gatewayOuterAddress());
      ServedGateway gateway = ServedGateway.start(lab.gateway(), dir, doc -> {},
          Java25.find().orElse(Java25.current()));
      long pid = gateway.process().pid();
      int port = gateway.config().listen().sstp();
      Path work = Files.createDirectories(lab.workDir().resolve("guest"));
      Path request = work.resolve("bench.yaml");
      Files.writeString(request, CLIENT_CERTIFICATE);
      Path issued = work.resolve("bench");
      if (Vpngw.run("issue", "-f", request.toString(), "--state-dir", dir.toString(), "--out",
          issued.toString()) != 0) {
        throw new IllegalStateException("vpngw issue failed");
      }
      String backend = lab.backendAddress();
      int iperfPort = 5201;
      List<String> commands = new ArrayList<>();
      for (int r = 1; r <= reps; r++) {
        for (String dirn : List.of("up", "down")) {
          String tag = dirn + r;
          commands.add("echo VPNGW-MARK-start-" + tag);
          commands.add(SstpGuestScript.iperf3(tag, backend, iperfPort, seconds,
              dirn.equals("down")));
          commands.add("echo VPNGW-MARK-end-" + tag);
        }
      }
      Phase phase = new Phase("bench", Mode.PPPD_PLUGIN, "bench", null,
          "ca " + issued.resolve("ca.crt") + " cert " + issued.resolve("tls.crt") + " key "
              + issued.resolve("tls.key") + " remotename " + lab.gatewayOuterAddress(),
          true, List.of(backend), commands, 0);
      Path script = SstpGuestScript.write(work, issued.resolve("ca.crt"), List.of(phase));
      OpenVpnClients openvpn =
          new OpenVpnClients(Files.createDirectories(lab.workDir().resolve("openvpn")), state);
      openvpn.client("ovpn-tcp");
      Path conf = openvpn.config("ovpn-tcp", "tcp", lab.gatewayOuterAddress(), port);
      try (LabProcess iperf = lab.backend().start("iperf3-server", "iperf3", "-s",
              "--forceflush", "-B", backend, "-p", Integer.toString(iperfPort));
          LabProcess guest = QemuGuest.start(lab.client(), "sstp-guest", script, work,
              lab.gatewayOuterAddress() + ":" + port)) {
        iperf.awaitLine("Server listening", Duration.ofSeconds(10));
        try {
          sstpRuns(guest, pid, seconds, reps, rows);
        } catch (RuntimeException | Error e) {
          System.out.println("---- guest console ----\n" + guest.output());
          System.out.println("---- iperf3 server ----\n" + iperf.output());
          System.out.println("---- vpngw serve ----\n" + gateway.process().tail());
          throw e;
        }
      }
      // the real openvpn 2.6 TCP client on the same port, the guest gone (it would compete)
      try (LabProcess ovpn = lab.client().start("openvpn-tcp", "openvpn", "--config",
          conf.toString())) {
        ovpn.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(90));
        for (int r = 1; r <= reps; r++) {
          for (String dirn : List.of("up", "down")) {
            double cpu0 = cpuSeconds(pid);
            IperfResult result = dirn.equals("down")
                ? lab.iperf3(lab.backend(), backend, lab.client(), seconds, "-R")
                : lab.iperf3(lab.backend(), backend, lab.client(), seconds);
            double cpu = cpuSeconds(pid) - cpu0;
            rows.add(row("OpenVPN TCP (openvpn 2.6)", dirn + r, result.bitsPerSecond(), cpu,
                seconds));
          }
        }
      }
    }
    System.out.println("| client | run | Mbit/s | gateway CPU s | gateway CPU s per Gbit |");
    System.out.println("|---|---|---|---|---|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
  }

  /** The guest's SSTP transfers, each between its start and end marks. */
  private static void sstpRuns(LabProcess guest, long pid, int seconds, int reps,
      List<String[]> rows) throws Exception {
    String up = guest.awaitLine("VPNGW-bench-(UP|FAILED)", BOOT);
    if (up.contains("FAILED")) {
      throw new IllegalStateException("the guest's SSTP call failed:\n" + guest.output());
    }
    for (int r = 1; r <= reps; r++) {
      for (String dirn : List.of("up", "down")) {
        String tag = dirn + r;
        guest.awaitLine("VPNGW-MARK-start-" + tag + "\\s*$", BOOT);
        double cpu0 = cpuSeconds(pid);
        guest.awaitLine("VPNGW-MARK-end-" + tag + "\\s*$",
            Duration.ofSeconds(seconds + 120L));
        double cpu = cpuSeconds(pid) - cpu0;
        double bits = SstpGatewayInteropTest.bitsPerSecond(
            SstpGuestScript.iperf3Report(guest.output(), tag));
        rows.add(row("SSTP (pppd+sstpc, guest)", tag, bits, cpu, seconds));
      }
    }
    guest.awaitLine("VPNGW-DONE", BOOT);
  }

  /**
   * One table row; CPU per Gbit = CPU seconds / (Gbit moved), over the mark-to-mark window (the
   * transfer plus its start-up, so a little more than {@code seconds}).
   */
  private static String[] row(String client, String run, double bits, double cpu, int seconds) {
    double gbit = bits * seconds / 1e9;
    return new String[] {client, run, String.format("%.1f", bits / 1e6),
        String.format("%.2f", cpu), gbit > 0 ? String.format("%.1f", cpu / gbit) : "-"};
  }

  /** User + system CPU seconds of process {@code pid} so far (/proc/PID/stat, 100 Hz ticks). */
  static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state is f[0], utime is field 14 overall = f[11], stime f[12]
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }
}
