package io.vpngateway.gateway.openvpn.session;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2ClientKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKeyMaterial;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.TlsCrypt;
import io.vpngateway.gateway.openvpn.crypto.TlsCryptV2Unwrapper;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import io.vpngateway.gateway.testing.Fuzzing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of every OpenVPN parser that reads a client's bytes: control packets (plain header and
 * body, tls-crypt), data packets (P_DATA_V2 / V1 under each AEAD suite, keepalive and OCC magic),
 * the tls-crypt-v2 first packet with its wrapped client key (WKc, and WKc metadata behind an
 * authentic tag), the client's key-method-2 message, and the peer-info text with the cipher
 * negotiation it drives. Whatever the input, a parser returns or throws its typed refusal
 * ({@link MalformedPacketException}, {@link PacketAuthenticationException}, {@link
 * OpenVpnKeyFormatException}); anything else would take down a receive or control thread.
 *
 * <p>Each {@code @FuzzTest} replays its seeds in a normal build; {@code JAZZER_FUZZ=1 mvn -pl
 * gateway-image test -Dtest='OpenVpnParsersFuzzTest#controlPacket'} fuzzes one target for real
 * (its {@code maxDuration}; findings land in {@code src/test/resources/.../*Inputs}). The
 * {@code @Test}s run seeded mutations of valid messages in every build, a few seconds each.
 */
class OpenVpnParsersFuzzTest {
  static {
    Fuzzing.scope();
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final OpenVpnStaticKey TLS_CRYPT_KEY = OpenVpnStaticKey.generate(RANDOM);
  private static final TlsCryptV2ServerKey SERVER_KEY = TlsCryptV2ServerKey.generate(RANDOM);
  private static final byte[] MATERIAL = new byte[DataChannelKeyMaterial.LENGTH];

  static {
    new Random(7).nextBytes(MATERIAL);
  }

  // ------------------------------------------------------------------------------ targets

  @FuzzTest(maxDuration = "60s")
  void controlPacket(byte[] data) {
    try {
      OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(data)).toString();
    } catch (MalformedPacketException expected) {
      // typed refusal
    }
    if (data.length > 1) {
      OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(data[0] & 0xff);
      if (op != null && !op.isData()) {
        try {
          // the body as it is parsed after tls-crypt removed its header and tag
          OpenVpnControlPacket.decodeBody(op, OpenVpnOpcode.keyIdOf(data[0] & 0xff), 1L,
              ByteBuffer.wrap(data, 1, data.length - 1));
        } catch (MalformedPacketException expected) {
          // typed refusal
        }
      }
    }
    try {
      new TlsCrypt(TLS_CRYPT_KEY).unwrap(ByteBuffer.wrap(data));
    } catch (MalformedPacketException | PacketAuthenticationException expected) {
      // typed refusal
    }
  }

  @FuzzTest(maxDuration = "60s")
  void dataPacket(byte[] data) {
    for (DataCipherSuite suite : DataCipherSuite.values()) {
      for (int header : new int[] {4, 1}) {
        ByteBuffer packet = ByteBuffer.allocate(data.length + 16);
        packet.put(data).flip();
        try {
          serverKey(suite).decryptor().open(packet, header, ByteBuffer.allocate(2048 + 64));
        } catch (PacketAuthenticationException expected) {
          // typed refusal
        }
      }
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    DataChannelMagic.isPing(b);
    DataChannelMagic.isOccExit(b);
  }

  @FuzzTest(maxDuration = "60s")
  void tlsCryptV2FirstPacket(byte[] data) {
    try {
      new TlsCryptV2Unwrapper(SERVER_KEY).unwrap(ByteBuffer.wrap(data));
    } catch (MalformedPacketException | PacketAuthenticationException expected) {
      // typed refusal
    }
    // metadata behind an authentic tag: what a client holding a stolen WKc could not forge, but
    // what the gateway's own issuer could have written (any type byte, any length that fits)
    if (data.length > 0 && data.length < 600) {
      TlsCryptV2Metadata meta =
          new TlsCryptV2Metadata(data[0] & 0xff, Arrays.copyOfRange(data, 1, data.length));
      TlsCryptV2ClientKey k = SERVER_KEY.wrap(TLS_CRYPT_KEY, meta);
      try {
        SERVER_KEY.unwrap(k.wrappedKey()).metadata().describe();
      } catch (OpenVpnKeyFormatException e) {
        throw new AssertionError("an authentic WKc was refused", e);
      }
    }
  }

  @FuzzTest(maxDuration = "60s")
  void keyMethod2(byte[] data) {
    try {
      KeyMethod2Client m = KeyMethod2Client.decode(ByteBuffer.wrap(data));
      if (m != null) {
        m.toString();
        peerInfoUse(m.peerInfo());
      }
    } catch (MalformedPacketException expected) {
      // typed refusal
    }
  }

  @FuzzTest(maxDuration = "60s")
  void peerInfo(byte[] data) {
    peerInfoUse(PeerInfo.parse(new String(data, StandardCharsets.UTF_8)));
  }

  private static void peerInfoUse(PeerInfo info) {
    info.protoFlags();
    info.has(PeerInfo.IV_PROTO_TLS_KEY_EXPORT);
    info.ciphers();
    info.version();
    info.toString();
    CipherNegotiation.choose(List.of(DataCipherSuite.values()), info);
    CipherNegotiation.choose(List.of(DataCipherSuite.CHACHA20_POLY1305), info);
  }

  // ------------------------------------------------------------------------------ every build

  @Test
  void mutatedControlPackets() {
    List<byte[]> seeds = new ArrayList<>();
    TlsCrypt wrapper = new TlsCrypt(mirrored(TLS_CRYPT_KEY));
    for (OpenVpnControlPacket p : List.of(
        new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0, 77L,
            new long[0], 0, 0, new byte[0]),
        new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_V1, 0, 77L, new long[] {1, 2}, 99L, 3,
            "TLS bytes".getBytes(StandardCharsets.US_ASCII)),
        OpenVpnControlPacket.ack(1, 77L, new long[] {5}, 99L))) {
      seeds.add(p.encodePlain());
      seeds.add(wrapper.wrap(p));
    }
    Fuzzing.mutateAndRun(seeds, 0xC0117201L, 30_000, this::controlPacket);
  }

  @Test
  void mutatedDataPackets() throws GeneralSecurityException {
    List<byte[]> seeds = new ArrayList<>();
    for (DataCipherSuite suite : DataCipherSuite.values()) {
      DataChannelKey client = clientKey(suite);
      for (byte[] plain : List.of(DataChannelMagic.PING, new byte[60], new byte[1400])) {
        ByteBuffer out = ByteBuffer.allocate(2048);
        client.encryptor().seal(ByteBuffer.wrap(plain), out);
        seeds.add(Arrays.copyOfRange(out.array(), out.position(), out.limit()));
      }
    }
    // a sealed packet of the right key opens: the target reaches the AEAD, not only the checks
    ByteBuffer good = ByteBuffer.allocate(seeds.get(0).length + 16).put(seeds.get(0)).flip();
    try {
      serverKey(DataCipherSuite.AES_256_GCM).decryptor().open(good, 4, ByteBuffer.allocate(256));
    } catch (PacketAuthenticationException e) {
      throw new AssertionError("the seed does not open", e);
    }
    Fuzzing.mutateAndRun(seeds, 0xDA7A, 1_500, this::dataPacket);
  }

  @Test
  void mutatedTlsCryptV2FirstPackets() throws Exception {
    TlsCryptV2ClientKey client = SERVER_KEY.wrap(TLS_CRYPT_KEY, TlsCryptV2Metadata.user("alice"));
    byte[] reset = new TlsCrypt(mirrored(client.key())).wrap(new OpenVpnControlPacket(
        OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3, 0, 5L, new long[0], 0, 0, new byte[0]));
    byte[] v3 = ByteBuffer.allocate(reset.length + client.wrappedKey().length).put(reset)
        .put(client.wrappedKey()).array();
    new TlsCryptV2Unwrapper(SERVER_KEY).unwrap(ByteBuffer.wrap(v3)); // the seed is valid
    byte[] ts = new byte[9];
    ts[0] = TlsCryptV2Metadata.TYPE_TIMESTAMP;
    Fuzzing.mutateAndRun(List.of(v3, client.wrappedKey(), ts), 0x7C2, 3_000,
        this::tlsCryptV2FirstPacket);
  }

  /** Regression: a timestamp beyond Instant's range used to throw DateTimeException. */
  @Test
  void timestampMetadataOutOfRangeIsDescribedNotThrown() {
    byte[] v = ByteBuffer.allocate(8).putLong(Long.MAX_VALUE).array();
    new TlsCryptV2Metadata(TlsCryptV2Metadata.TYPE_TIMESTAMP, v).describe();
  }

  @Test
  void mutatedKeyMethod2Messages() {
    byte[] km2 = new KeyMethod2Client(new byte[48], new byte[32], new byte[32],
        "V4,dev-type tun,link-mtu 1559,tun-mtu 1500,proto UDPv4,cipher AES-256-GCM,"
            + "auth [null-digest],keysize 256,key-method 2,tls-client", "alice", "secret",
        PeerInfo.parse(PEER_INFO)).encode();
    Fuzzing.mutateAndRun(List.of(km2), 0x4B4D32, 20_000, this::keyMethod2);
  }

  @Test
  void mutatedPeerInfo() {
    Fuzzing.mutateAndRun(List.of(PEER_INFO.getBytes(StandardCharsets.UTF_8)), 0x1F0, 20_000,
        this::peerInfo);
  }

  private static final String PEER_INFO = "IV_VER=2.6.14\nIV_PLAT=linux\nIV_PROTO=990\n"
      + "IV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\nIV_NCP=2\nIV_MTU=1600\n"
      + "IV_TCPNL=1\nIV_SSO=webauth\n";

  private static DataChannelKey serverKey(DataCipherSuite suite) {
    try {
      return DataChannelKey.create(suite, DataChannelKeyMaterial.fromExporter(MATERIAL.clone()),
          0, 1);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DataChannelKey clientKey(DataCipherSuite suite) throws GeneralSecurityException {
    byte[] m = new byte[MATERIAL.length];
    System.arraycopy(MATERIAL, 128, m, 0, 128);
    System.arraycopy(MATERIAL, 0, m, 128, 128);
    return DataChannelKey.create(suite, DataChannelKeyMaterial.fromExporter(m), 0, 1);
  }

  /** The client's view of a tls-crypt key: the two halves swapped. */
  private static OpenVpnStaticKey mirrored(OpenVpnStaticKey key) {
    byte[] k = key.bytes();
    byte[] m = new byte[k.length];
    System.arraycopy(k, 128, m, 0, 128);
    System.arraycopy(k, 0, m, 128, 128);
    try {
      return OpenVpnStaticKey.of(m);
    } catch (OpenVpnKeyFormatException e) {
      throw new IllegalStateException(e);
    }
  }
}
