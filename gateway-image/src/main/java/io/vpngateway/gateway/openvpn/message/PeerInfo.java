package io.vpngateway.gateway.openvpn.message;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's peer-info block: {@code KEY=value} lines such as {@code IV_VER=2.6.14},
 * {@code IV_PROTO=990}, {@code IV_CIPHERS=AES-256-GCM:AES-128-GCM}. See openvpn {@code ssl.c:
 * push_peer_info} and {@code doc/man-sections/client-options.rst} ("--push-peer-info").
 */
public record PeerInfo(String text, Map<String, String> values) {
  /** IV_PROTO bits (openvpn {@code ssl.h}). */
  public static final int IV_PROTO_DATA_V2 = 1 << 1;
  public static final int IV_PROTO_REQUEST_PUSH = 1 << 2;
  public static final int IV_PROTO_TLS_KEY_EXPORT = 1 << 3;
  /** The client parses {@code AUTH_PENDING,timeout N} (else the server sends a bare one). */
  public static final int IV_PROTO_AUTH_PENDING_KW = 1 << 4;
  public static final int IV_PROTO_CC_EXIT_NOTIFY = 1 << 7;

  public PeerInfo {
    values = Map.copyOf(values);
  }

  public static PeerInfo parse(String text) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && eq < 64) {
        v.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return new PeerInfo(text, v);
  }

  public int protoFlags() {
    try {
      return Integer.parseInt(values.getOrDefault("IV_PROTO", "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  public boolean has(int ivProtoBit) {
    return (protoFlags() & ivProtoBit) != 0;
  }

  /**
   * The data ciphers the client offers: IV_CIPHERS, else the 2.4 defaults when it announces
   * IV_NCP=2 (AES-256-GCM, AES-128-GCM), else nothing.
   */
  public List<String> ciphers() {
    String c = values.get("IV_CIPHERS");
    if (c != null && !c.isBlank()) {
      return Arrays.asList(c.split(":"));
    }
    if ("2".equals(values.get("IV_NCP"))) {
      return List.of("AES-256-GCM", "AES-128-GCM");
    }
    return List.of();
  }

  public String version() {
    return values.getOrDefault("IV_VER", "unknown");
  }

  @Override
  public String toString() {
    return "PeerInfo[IV_VER=" + version() + ", IV_PROTO=" + protoFlags() + "]";
  }
}
