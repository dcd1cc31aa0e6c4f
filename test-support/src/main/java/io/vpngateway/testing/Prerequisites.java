package io.vpngateway.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Interop tests need root, {@code /dev/net/tun} and real peer binaries. Where one is missing the
 * test is skipped with the reason, except under {@code CI=true}, where the CI script was supposed to
 * install it and a skip would hide a broken submission: there it fails.
 */
public final class Prerequisites {
  private Prerequisites() {}

  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips (or, under CI, fails) unless {@code condition} holds. */
  public static void require(boolean condition, String missing) {
    if (condition) {
      return;
    }
    if (underCi()) {
      fail("CI=true but a prerequisite is missing: " + missing);
    }
    assumeTrue(false, "skipped: " + missing);
  }

  public static void requireRoot() {
    require("root".equals(System.getProperty("user.name")), "must run as root (network namespaces)");
    require(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun is missing");
  }

  /** Requires an executable on PATH or at an absolute path; returns its path. */
  public static Path requireBinary(String name) {
    Path found = which(name);
    require(found != null, "binary '" + name + "' is not installed");
    return found;
  }

  public static Path which(String name) {
    if (name.startsWith("/")) {
      Path p = Path.of(name);
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
