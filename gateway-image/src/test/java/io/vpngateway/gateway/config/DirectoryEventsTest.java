package io.vpngateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryEventsTest {
  private static final Duration SETTLE = Duration.ofMillis(50);

  @TempDir Path dir;

  /** Only filesystems whose every change passes through this kernel may go without a poll. */
  @Test
  void localFilesystemsAreTrustedAndRemoteOrLayeredOnesAreNot() {
    for (String local : new String[] {"tmpfs", "ext4", "xfs", "btrfs", "EXT4"}) {
      assertTrue(DirectoryEvents.trustedType(local), local);
    }
    for (String other : new String[] {"nfs", "nfs4", "cifs", "fuse.sshfs", "overlay", "9p", ""}) {
      assertFalse(DirectoryEvents.trustedType(other), other);
    }
  }

  @Test
  void anEntryRenamedInEndsTheWaitAndSilenceTimesOut() throws Exception {
    try (DirectoryEvents events = DirectoryEvents.open(dir)) {
      assertFalse(events.await(Duration.ofMillis(100), SETTLE), "nothing happened yet");
      Path tmp = Files.writeString(dir.resolve(".gateway.yaml.swp"), "spec: {}\n");
      Files.move(tmp, dir.resolve("gateway.yaml"), StandardCopyOption.ATOMIC_MOVE);
      assertTrue(events.await(Duration.ofSeconds(10), SETTLE), "the rename was reported");
      assertFalse(events.await(Duration.ofMillis(100), SETTLE), "the burst was drained");
    }
  }

  /** A log file written next to the watched one must not count as a change of it. */
  @Test
  void eventsOfOtherNamesAreDrainedWithoutEndingTheWait() throws Exception {
    Path watched = dir.resolve("gateway.yaml");
    try (DirectoryEvents events = DirectoryEvents.open(dir)) {
      Files.writeString(dir.resolve("gateway.log"), "a log line\n");
      assertFalse(events.await(Duration.ofMillis(300), SETTLE, watched.getFileName()::equals),
          "another file's event is not the watched file's");
      Files.writeString(watched, "spec: {}\n");
      assertTrue(events.await(Duration.ofSeconds(10), SETTLE, watched.getFileName()::equals),
          "the watched file's own event ends the wait");
    }
  }
}
