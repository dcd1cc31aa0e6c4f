package io.vpngateway.api.policy;

import io.vpngateway.api.v1alpha1.spec.IkePolicy;
import io.vpngateway.api.v1alpha1.spec.IpsecPolicy;
import io.vpngateway.api.v1alpha1.spec.Policies;
import io.vpngateway.api.v1alpha1.spec.TlsPolicy;
import java.util.List;
import java.util.Locale;

/**
 * Versioned crypto presets and the mapping from the CR's policy lists to the notation the gateway
 * uses (strongSwan's proposal keywords, IANA TLS names, OpenVPN cipher names). A preset's tables
 * never change once released; new defaults get a new preset name.
 */
public final class CryptoPresets {
  private CryptoPresets() {}

  private static final List<String> TLS13_SUITES =
      List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256");

  /**
   * Azure P2S as offered in 2026, the seed's tables: its 17 IKEv2 proposals (AES-256-GCM with
   * PRF SHA-384/256, AES-256-CBC with SHA-384/256, each with DH groups 24, 14, ECP-384, ECP-256,
   * and AES-256/SHA-256 with group 2) and 11 IPsec proposals (AES-256-GCM and AES-256/SHA-256,
   * each without PFS and with PFS 24, 14, ECP-384, ECP-256, and AES-256/SHA-1), ordered here with
   * the elliptic curves first (cheaper, and every built-in client has them); TLS 1.2 and 1.3 with
   * ECDHE AEAD suites.
   */
  public static final CryptoPolicy AZURE_2026 =
      new CryptoPolicy(
          "azure-2026",
          List.of(
              "aes256gcm16-prfsha384-ecp384",
              "aes256gcm16-prfsha384-ecp256",
              "aes256gcm16-prfsha384-modp2048",
              "aes256gcm16-prfsha384-modp2048s256",
              "aes256gcm16-prfsha256-ecp384",
              "aes256gcm16-prfsha256-ecp256",
              "aes256gcm16-prfsha256-modp2048",
              "aes256gcm16-prfsha256-modp2048s256",
              "aes256-sha384-ecp384",
              "aes256-sha384-ecp256",
              "aes256-sha384-modp2048",
              "aes256-sha384-modp2048s256",
              "aes256-sha256-ecp384",
              "aes256-sha256-ecp256",
              "aes256-sha256-modp2048",
              "aes256-sha256-modp2048s256",
              "aes256-sha256-modp1024"),
          List.of(
              "aes256gcm16",
              "aes256gcm16-ecp384",
              "aes256gcm16-ecp256",
              "aes256gcm16-modp2048",
              "aes256gcm16-modp2048s256",
              "aes256-sha256",
              "aes256-sha256-ecp384",
              "aes256-sha256-ecp256",
              "aes256-sha256-modp2048",
              "aes256-sha256-modp2048s256",
              "aes256-sha1"),
          "1.2",
          concat(
              TLS13_SUITES,
              List.of(
                  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")),
          List.of("AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"));

  /** AEAD only, elliptic-curve groups with PFS, TLS 1.3 only. */
  public static final CryptoPolicy STRICT =
      new CryptoPolicy(
          "strict",
          List.of("aes256gcm16-prfsha384-ecp384", "aes256gcm16-prfsha384-curve25519"),
          List.of("aes256gcm16-ecp384", "aes256gcm16-curve25519"),
          "1.3",
          List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"),
          List.of("AES-256-GCM", "CHACHA20-POLY1305"));

  /** The preset named in the CR ({@code azure-2026} when absent). */
  public static CryptoPolicy preset(Policies.Preset preset) {
    return preset == Policies.Preset.Strict ? STRICT : AZURE_2026;
  }

  /** Resolves a CR's policies: the preset, with each explicit list replacing the preset's. */
  public static CryptoPolicy resolve(Policies policies) {
    if (policies == null) {
      return AZURE_2026;
    }
    CryptoPolicy base = preset(policies.preset);
    List<String> ike =
        policies.ike == null || policies.ike.isEmpty()
            ? base.ike()
            : policies.ike.stream().map(CryptoPresets::ikeProposal).toList();
    List<String> esp =
        policies.ipsec == null || policies.ipsec.isEmpty()
            ? base.esp()
            : policies.ipsec.stream().map(CryptoPresets::espProposal).toList();
    TlsPolicy tls = policies.tls;
    String tlsMin =
        tls == null || tls.minVersion == null
            ? base.tlsMinVersion()
            : tls.minVersion == TlsPolicy.Version.V1_3 ? "1.3" : "1.2";
    List<String> suites =
        tls == null || tls.cipherSuites == null || tls.cipherSuites.isEmpty()
            ? base.tlsCipherSuites()
            : tls.cipherSuites;
    List<String> data =
        tls == null || tls.dataCiphers == null || tls.dataCiphers.isEmpty()
            ? base.dataCiphers()
            : tls.dataCiphers.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList();
    return new CryptoPolicy(base.name(), ike, esp, tlsMin, suites, data);
  }

  /** {@code GCMAES256/SHA384/ECP384} → {@code aes256gcm16-prfsha384-ecp384}. */
  public static String ikeProposal(IkePolicy p) {
    String integrity = p.integrity == IkePolicy.Integrity.SHA384 ? "sha384" : "sha256";
    String enc =
        switch (p.encryption) {
          case AES128 -> "aes128-" + integrity;
          case AES256 -> "aes256-" + integrity;
          case GCMAES128 -> "aes128gcm16-prf" + integrity;
          case GCMAES256 -> "aes256gcm16-prf" + integrity;
        };
    return enc + "-" + dhGroup(p.dhGroup);
  }

  /** {@code GCMAES256/None/ECP384} → {@code aes256gcm16-ecp384}. */
  public static String espProposal(IpsecPolicy p) {
    String enc =
        switch (p.encryption) {
          case AES128 -> "aes128-sha256";
          case AES256 -> "aes256-sha256";
          case GCMAES128 -> "aes128gcm16";
          case GCMAES256 -> "aes256gcm16";
        };
    String pfs =
        p.pfsGroup == null
            ? ""
            : switch (p.pfsGroup) {
              case None -> "";
              case PFS14 -> "-modp2048";
              case PFS24 -> "-modp2048s256";
              case ECP256 -> "-ecp256";
              case ECP384 -> "-ecp384";
            };
    return enc + pfs;
  }

  private static String dhGroup(IkePolicy.DhGroup group) {
    return switch (group) {
      case DHGroup14 -> "modp2048";
      case DHGroup24 -> "modp2048s256";
      case ECP256 -> "ecp256";
      case ECP384 -> "ecp384";
      case Curve25519 -> "curve25519";
    };
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
