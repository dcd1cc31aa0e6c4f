package io.vpngateway.gateway.openvpn.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

class KeyMethod2ClientTest {
  private static KeyMethod2Client sample() {
    byte[] pre = new byte[48];
    Arrays.fill(pre, (byte) 1);
    byte[] r1 = new byte[32];
    Arrays.fill(r1, (byte) 2);
    byte[] r2 = new byte[32];
    Arrays.fill(r2, (byte) 3);
    return new KeyMethod2Client(pre, r1, r2, "V4,dev-type tun,key-method 2,tls-client", "", "",
        PeerInfo.parse("IV_VER=2.6.14\nIV_PROTO=990\nIV_CIPHERS=AES-256-GCM:CHACHA20-POLY1305\n"));
  }

  @Test
  void roundTripsAndReadsPeerInfo() throws Exception {
    byte[] wire = sample().encode();
    ByteBuffer in = ByteBuffer.wrap(wire);
    KeyMethod2Client k = KeyMethod2Client.decode(in);
    assertEquals(wire.length, in.position());
    assertArrayEquals(sample().preMaster(), k.preMaster());
    assertEquals("V4,dev-type tun,key-method 2,tls-client", k.options());
    assertEquals("2.6.14", k.peerInfo().version());
    assertTrue(k.peerInfo().has(PeerInfo.IV_PROTO_TLS_KEY_EXPORT));
    assertEquals(List.of("AES-256-GCM", "CHACHA20-POLY1305"), k.peerInfo().ciphers());
  }

  @Test
  void incompleteMessageWaitsForMore() throws Exception {
    byte[] wire = sample().encode();
    for (int len = 0; len < wire.length - 1; len++) {
      ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(wire, len));
      KeyMethod2Client k = KeyMethod2Client.decode(in);
      if (k == null) {
        assertEquals(0, in.position(), "nothing consumed while incomplete");
      }
    }
  }

  @Test
  void everyPrefixShortOfTheOptionsWaitsWithoutConsuming() throws Exception {
    byte[] wire = sample().encode();
    // uint32 0, key method, pre-master and randoms, options length, options and their NUL; the
    // strings after it are optional (a message may end after the options)
    int optionsEnd = 4 + 1 + 48 + 32 + 32 + 2 + sample().options().length() + 1;
    for (int len = 0; len < optionsEnd; len++) {
      ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(wire, len));
      assertNull(KeyMethod2Client.decode(in), "prefix of " + len + " bytes");
      assertEquals(0, in.position(), "nothing consumed while incomplete");
    }
  }

  /**
   * The control thread asks for the key-method message after every control packet once TLS is
   * done, mostly before it has arrived: waiting must not throw (and catch) an exception, whose
   * stack trace was the costliest part of the parse in the handshake profile (BENCHMARKS.md).
   */
  @Test
  void waitingForTheMessageThrowsNothing() throws Exception {
    byte[] wire = sample().encode();
    int[] lengths = {0, 2, 4, 5, 40, 5 + 112, 5 + 112 + 1};
    try (Recording recording = new Recording()) {
      recording.enable("jdk.JavaExceptionThrow").withStackTrace();
      recording.start();
      for (int len : lengths) {
        assertNull(KeyMethod2Client.decode(ByteBuffer.wrap(Arrays.copyOf(wire, len))));
      }
      recording.stop();
      Path file = Files.createTempFile("km2-exceptions", ".jfr");
      try {
        recording.dump(file);
        long underflows =
            RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getThread() != null
                    && e.getThread().getJavaThreadId() == Thread.currentThread().getId())
                .filter(e -> e.getClass("thrownClass") != null
                    && e.getClass("thrownClass").getName().endsWith("BufferUnderflowException"))
                .count();
        assertEquals(0, underflows, "exceptions thrown while waiting for the message");
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  @Test
  void wrongKeyMethodOrPrefixIsRejected() {
    byte[] wire = sample().encode();
    wire[4] = 1;
    assertThrows(MalformedPacketException.class, () -> KeyMethod2Client.decode(
        ByteBuffer.wrap(wire)));
    byte[] wire2 = sample().encode();
    wire2[0] = 9;
    assertThrows(MalformedPacketException.class, () -> KeyMethod2Client.decode(
        ByteBuffer.wrap(wire2)));
  }

  @Test
  void serverReplyHasNoPreMaster() {
    byte[] r = new byte[32];
    byte[] wire = new KeyMethod2Server(r, r, "V4").encode();
    assertEquals(4 + 1 + 64 + 2 + 3 + 6, wire.length);
  }

  @Test
  void noCommonCipherWithoutNcp() {
    assertNull(PeerInfo.parse("IV_VER=2.3\n").ciphers().stream().findFirst().orElse(null));
  }
}
