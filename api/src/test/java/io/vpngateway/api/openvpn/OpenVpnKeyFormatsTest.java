package io.vpngateway.api.openvpn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenVpnKeyFormatsTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void staticKeyRoundTripsThroughPem() throws Exception {
    OpenVpnStaticKey key = OpenVpnStaticKey.generate(random);
    OpenVpnStaticKey back = OpenVpnStaticKey.parse(key.toPem());
    assertArrayEquals(key.bytes(), back.bytes());
  }

  @Test
  void staticKeyRejectsShortBody() {
    String pem = OpenVpnStaticKey.generate(random).toPem().replaceFirst("[0-9a-f]{32}\n", "");
    assertThrows(OpenVpnKeyFormatException.class, () -> OpenVpnStaticKey.parse(pem));
  }

  @Test
  void wrapThenUnwrapGivesKeyAndMetadata() throws Exception {
    TlsCryptV2ServerKey server = TlsCryptV2ServerKey.parse(
        TlsCryptV2ServerKey.generate(random).toPem());
    OpenVpnStaticKey kc = OpenVpnStaticKey.generate(random);
    TlsCryptV2ClientKey client = server.wrap(kc, TlsCryptV2Metadata.user("alice"));
    TlsCryptV2ClientKey parsed = TlsCryptV2ClientKey.parse(client.toPem());
    TlsCryptV2ServerKey.Unwrapped u = server.unwrap(parsed.wrappedKey());
    assertArrayEquals(kc.bytes(), u.clientKey().bytes());
    assertEquals("alice", u.metadata().describe());
  }

  @Test
  void everySingleByteFlipOfWkcIsRejected() {
    TlsCryptV2ServerKey server = TlsCryptV2ServerKey.generate(random);
    byte[] wkc = server.wrap(OpenVpnStaticKey.generate(random),
        TlsCryptV2Metadata.timestamp(Instant.now())).wrappedKey();
    for (int i = 0; i < wkc.length; i++) {
      byte[] bad = wkc.clone();
      bad[i] ^= 0x01;
      assertThrows(OpenVpnKeyFormatException.class, () -> server.unwrap(bad), "byte " + i);
    }
  }

  @Test
  void wrongServerKeyIsRejected() {
    byte[] wkc = TlsCryptV2ServerKey.generate(random)
        .wrap(OpenVpnStaticKey.generate(random), TlsCryptV2Metadata.user("x")).wrappedKey();
    assertThrows(OpenVpnKeyFormatException.class,
        () -> TlsCryptV2ServerKey.generate(random).unwrap(wkc));
  }

  /** Interop: keys made by the real openvpn binary parse, and its WKc unwraps with our code. */
  @Test
  void readsKeysGeneratedByOpenvpn(@TempDir Path dir) throws Exception {
    String openvpn = Prerequisites.requireBinary("openvpn").toString();
    Path secret = dir.resolve("tc.key");
    Path srv = dir.resolve("srv.key");
    Path cli = dir.resolve("cli.key");
    run(dir, openvpn, "--genkey", "secret", secret.toString());
    run(dir, openvpn, "--genkey", "tls-crypt-v2-server", srv.toString());
    run(dir, openvpn, "--tls-crypt-v2", srv.toString(), "--genkey", "tls-crypt-v2-client",
        cli.toString());
    OpenVpnStaticKey.parse(Files.readString(secret));
    TlsCryptV2ServerKey server = TlsCryptV2ServerKey.parse(Files.readString(srv));
    TlsCryptV2ClientKey client = TlsCryptV2ClientKey.parse(Files.readString(cli));
    TlsCryptV2ServerKey.Unwrapped u = server.unwrap(client.wrappedKey());
    assertArrayEquals(client.key().bytes(), u.clientKey().bytes());
    assertEquals(TlsCryptV2Metadata.TYPE_TIMESTAMP, u.metadata().type());
  }

  private static void run(Path dir, String... cmd) {
    ExecResult r = Commands.run(dir, cmd);
    assertEquals(0, r.exitCode(), String.join(" ", cmd) + ":\n" + r.output());
  }
}
