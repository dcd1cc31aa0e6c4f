package io.vpngateway.gateway.portshare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.portshare.TcpProtocolHandler.Match;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirstBytesTest {
  private static ByteBuffer hex(String h) {
    return ByteBuffer.wrap(HexFormat.of().parseHex(h));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    // length 0x002a, P_CONTROL_HARD_RESET_CLIENT_V2 key 0 (7 << 3 = 0x38), session id...
    "002a38a1b2c3d4e5f60718, YES",
    // tls-crypt-v2: P_CONTROL_HARD_RESET_CLIENT_V3 (10 << 3 = 0x50), longer first packet
    "03a050a1b2c3d4e5f60718, YES",
    // a soft reset or a data packet is not how a connection starts
    "002a40a1b2c3d4e5f60718, NO",
    // a hard reset with key id 1
    "002a39a1b2c3d4e5f60718, NO",
    // too short to be a reset, too long to be a control packet
    "000538, NO",
    "ffff38, NO",
    // a TLS record: 0x1603 as a length is 5635
    "16030100c4010000c00303, NO",
    "002a, NEED_MORE",
    "00, NEED_MORE",
  })
  void openVpn(String bytes, Match expected) {
    assertEquals(expected, FirstBytes.openVpnClientReset(hex(bytes)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    // handshake record, TLS 1.0 legacy record version (what every modern ClientHello sends)
    "16030100c4010000c00303, YES",
    "16030300c4010000c00303, YES",
    // handshake record but a ServerHello (2)
    "16030300c4020000c00303, NO",
    // an alert record, an HTTP request, an SSLv2-style hello
    "15030300020228, NO",
    "474554202f20485454502f, NO",
    "8077010301004e0000, NO",
    "160305, NO",
    // OpenVPN
    "002a38a1b2c3d4e5f60718, NO",
    "1603, NEED_MORE",
    "16030100c4, NEED_MORE",
  })
  void tls(String bytes, Match expected) {
    assertEquals(expected, FirstBytes.tlsClientHello(hex(bytes)));
  }
}
