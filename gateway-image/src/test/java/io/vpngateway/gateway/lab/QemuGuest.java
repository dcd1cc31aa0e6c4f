package io.vpngateway.gateway.lab;

import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.Prerequisites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throw-away Linux guest for peers that need a kernel feature this host lacks (PPP for sstpc +
 * pppd): QEMU without KVM (TCG) boots Debian's stock kernel with the initramfs of {@code
 * scripts/build-sstp-guest.sh}, which mounts the host root read-only over 9p and runs one shell
 * script of the test's, then powers off.
 *
 * <p>Network: QEMU user networking restricted to nothing ({@code restrict=on}) but one guestfwd:
 * a TCP connection from the guest to {@code 10.0.2.100:443} is handed to {@code socat} on the
 * host side, which connects to the target the test names (its server on the loopback, or the
 * gateway's address in a lab namespace when QEMU runs inside the lab). The guest reaches nothing
 * else. The guest's console (and so the script's output) is the process log.
 */
public final class QemuGuest {
  /** Where the guest reaches the forwarded server. */
  public static final String SERVER_ADDRESS = "10.0.2.100";

  private QemuGuest() {}

  /** The cache directory of the guest image ({@code VPNGW_LAB_DIR}, default /var/cache/vpngw-lab). */
  public static Path imageDir() {
    String lab = System.getenv().getOrDefault("VPNGW_LAB_DIR", "/var/cache/vpngw-lab");
    return Path.of(lab, "sstp-guest");
  }

  /** Skips (fails under CI) unless QEMU, socat and the built guest image are present. */
  public static void require() {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("qemu-system-x86_64");
    Prerequisites.requireBinary("socat");
    Path dir = imageDir();
    Prerequisites.require(
        Files.isRegularFile(dir.resolve("vmlinuz")) && Files.isRegularFile(dir.resolve("initrd.gz")),
        "the SSTP guest image is not built in " + dir + " (run scripts/build-sstp-guest.sh)");
  }

  /**
   * The QEMU command line.
   *
   * @param script the guest script (a host path, also its path inside the guest)
   * @param workDir a host directory under /tmp the guest sees at the same path (the script's)
   * @param forwardTo {@code host:port} the guestfwd connects to
   */
  public static List<String> command(Path script, Path workDir, String forwardTo) {
    Path dir = imageDir();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "qemu-system-x86_64",
            "-accel",
            "tcg",
            "-cpu",
            "max",
            "-m",
            "512",
            "-smp",
            "1",
            "-nographic",
            "-no-reboot",
            "-kernel",
            dir.resolve("vmlinuz").toString(),
            "-initrd",
            dir.resolve("initrd.gz").toString(),
            "-append",
            "console=ttyS0 panic=-1 quiet vpngw.script=" + script + " vpngw.dir=" + workDir,
            "-virtfs",
            "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,"
                + "multidevs=remap",
            "-netdev",
            "user,id=n0,restrict=on,guestfwd=tcp:"
                + SERVER_ADDRESS
                + ":443-cmd:socat - TCP:"
                + forwardTo,
            "-device",
            "virtio-net-pci,netdev=n0"));
    return cmd;
  }

  /** Starts the guest in {@code ns} (a lab namespace) running {@code script}. */
  public static LabProcess start(Netns ns, String label, Path script, Path workDir, String forwardTo) {
    return ns.start(label, command(script, workDir, forwardTo).toArray(String[]::new));
  }

  /** Starts the guest in this (the root) namespace; its only network path is to the loopback. */
  public static LabProcess startOnHost(String label, Path script, Path workDir, String forwardTo) {
    try {
      Path log = workDir.resolve(label.replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
      return LabProcess.start(label, command(script, workDir, forwardTo), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start qemu", e);
    }
  }
}
