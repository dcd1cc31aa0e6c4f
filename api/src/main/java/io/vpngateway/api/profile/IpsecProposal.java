package io.vpngateway.api.profile;

import java.util.Locale;
import java.util.Optional;

/**
 * One IKE or ESP proposal parsed from strongSwan notation ({@code aes256gcm16-prfsha384-ecp384},
 * {@code aes256-sha256-modp2048}, {@code aes256gcm16-ecp384}), the notation of the gateway config
 * document, so that it can be rewritten for clients with other vocabularies: Windows {@code
 * Set-VpnConnectionIPsecConfiguration} and Apple {@code IKESecurityAssociationParameters}. Those
 * take a single algorithm of each kind, so the first one of each kind is kept.
 *
 * <p>Transform IDs: RFC 7296 §3.3.2, RFC 5282 (AES-GCM in IKE), RFC 4106 (AES-GCM in ESP).
 *
 * @param encryption the cipher
 * @param integrity the integrity (HMAC) algorithm; empty for AEAD ciphers
 * @param prf the PRF (IKE only; with a CBC cipher strongSwan derives it from the integrity hash)
 * @param group the Diffie-Hellman group (IKE) or PFS group (ESP), empty for none
 */
public record IpsecProposal(
    Cipher encryption, Optional<Hash> integrity, Optional<Hash> prf, Optional<DhGroup> group) {

  /** Ciphers with their strongSwan, Windows and Apple names. */
  public enum Cipher {
    AES128_CBC("AES128", "AES-128", false),
    AES256_CBC("AES256", "AES-256", false),
    AES128_GCM("GCMAES128", "AES-128-GCM", true),
    AES256_GCM("GCMAES256", "AES-256-GCM", true);

    final String windows;
    final String apple;
    final boolean aead;

    Cipher(String windows, String apple, boolean aead) {
      this.windows = windows;
      this.apple = apple;
      this.aead = aead;
    }
  }

  /** Hashes for integrity and PRF. */
  public enum Hash {
    SHA1("SHA1", "SHA1-96", "SHA196"),
    SHA256("SHA256", "SHA2-256", "SHA256128"),
    SHA384("SHA384", "SHA2-384", null),
    SHA512(null, "SHA2-512", null);

    /** Windows IntegrityCheckMethod (IKE), null when Windows has none. */
    final String windowsIke;

    final String apple;

    /** Windows AuthenticationTransformConstants (ESP), null when Windows has none. */
    final String windowsEsp;

    Hash(String windowsIke, String apple, String windowsEsp) {
      this.windowsIke = windowsIke;
      this.apple = apple;
      this.windowsEsp = windowsEsp;
    }
  }

  /** Diffie-Hellman groups (RFC 2409, 3526, 5114, 5903, 8031) with their IANA numbers. */
  public enum DhGroup {
    MODP1024(2, "Group2", "PFS2"),
    MODP2048(14, "Group14", "PFS2048"),
    MODP2048S256(24, "Group24", "PFS24"),
    ECP256(19, "ECP256", "ECP256"),
    ECP384(20, "ECP384", "ECP384"),
    CURVE25519(31, null, null);

    final int number;

    /** Windows DHGroup and PfsGroup names; null when Windows cannot use the group. */
    final String windowsDh;

    final String windowsPfs;

    DhGroup(int number, String windowsDh, String windowsPfs) {
      this.number = number;
      this.windowsDh = windowsDh;
      this.windowsPfs = windowsPfs;
    }
  }

  /** Parses strongSwan proposal keywords; unknown keywords are an error naming them. */
  public static IpsecProposal parse(String proposal) {
    Cipher cipher = null;
    Hash integrity = null;
    Hash prf = null;
    DhGroup group = null;
    for (String keyword : proposal.toLowerCase(Locale.ROOT).trim().split("-")) {
      switch (keyword) {
        case "aes128", "aes128cbc" -> cipher = first(cipher, Cipher.AES128_CBC);
        case "aes256", "aes256cbc" -> cipher = first(cipher, Cipher.AES256_CBC);
        case "aes128gcm16", "aes128gcm128" -> cipher = first(cipher, Cipher.AES128_GCM);
        case "aes256gcm16", "aes256gcm128" -> cipher = first(cipher, Cipher.AES256_GCM);
        case "sha1", "sha" -> integrity = first(integrity, Hash.SHA1);
        case "sha256", "sha2_256" -> integrity = first(integrity, Hash.SHA256);
        case "sha384", "sha2_384" -> integrity = first(integrity, Hash.SHA384);
        case "sha512", "sha2_512" -> integrity = first(integrity, Hash.SHA512);
        case "prfsha1" -> prf = first(prf, Hash.SHA1);
        case "prfsha256" -> prf = first(prf, Hash.SHA256);
        case "prfsha384" -> prf = first(prf, Hash.SHA384);
        case "prfsha512" -> prf = first(prf, Hash.SHA512);
        case "modp1024" -> group = first(group, DhGroup.MODP1024);
        case "modp2048" -> group = first(group, DhGroup.MODP2048);
        case "modp2048s256" -> group = first(group, DhGroup.MODP2048S256);
        case "ecp256" -> group = first(group, DhGroup.ECP256);
        case "ecp384" -> group = first(group, DhGroup.ECP384);
        case "curve25519", "x25519" -> group = first(group, DhGroup.CURVE25519);
        case "esn", "noesn" -> {} // sequence-number mode: not expressible on Windows/Apple
        default ->
            throw new IllegalArgumentException(
                "unsupported keyword '" + keyword + "' in IPsec proposal '" + proposal + "'");
      }
    }
    if (cipher == null) {
      throw new IllegalArgumentException("IPsec proposal '" + proposal + "' names no cipher");
    }
    if (!cipher.aead && integrity == null) {
      throw new IllegalArgumentException(
          "IPsec proposal '" + proposal + "' uses a CBC cipher without an integrity algorithm");
    }
    return new IpsecProposal(
        cipher,
        cipher.aead ? Optional.empty() : Optional.of(integrity),
        Optional.ofNullable(prf),
        Optional.ofNullable(group));
  }

  private static <T> T first(T current, T candidate) {
    return current == null ? candidate : current;
  }

  /** The hash used as PRF: explicit, else the integrity hash (strongSwan's rule), else SHA-256. */
  Hash prfOrIntegrity() {
    return prf.or(() -> integrity).orElse(Hash.SHA256);
  }

  /** True when Windows can express this proposal as an IKE proposal. */
  boolean windowsIkeCapable() {
    return group.map(g -> g.windowsDh != null).orElse(false) && prfOrIntegrity().windowsIke != null;
  }

  /** True when Windows can express this proposal as an ESP proposal. */
  boolean windowsEspCapable() {
    return group.map(g -> g.windowsPfs != null).orElse(true)
        && (encryption.aead || integrity.map(h -> h.windowsEsp != null).orElse(false));
  }
}
