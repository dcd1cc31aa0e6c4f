package io.vpngateway.gateway.openvpn.crypto;

import java.util.Locale;
import java.util.Optional;

/**
 * The AEAD data-channel ciphers this server negotiates (openvpn {@code --data-ciphers}). All use a
 * 12-byte nonce (4-byte packet id || 8-byte implicit IV) and a 16-byte tag.
 */
public enum DataCipherSuite {
  AES_256_GCM("AES-256-GCM", "AES/GCM/NoPadding", "AES", 32),
  AES_128_GCM("AES-128-GCM", "AES/GCM/NoPadding", "AES", 16),
  CHACHA20_POLY1305("CHACHA20-POLY1305", "ChaCha20-Poly1305", "ChaCha20", 32);

  private final String openVpnName;
  private final String transformation;
  private final String keyAlgorithm;
  private final int keyLength;

  DataCipherSuite(String openVpnName, String transformation, String keyAlgorithm, int keyLength) {
    this.openVpnName = openVpnName;
    this.transformation = transformation;
    this.keyAlgorithm = keyAlgorithm;
    this.keyLength = keyLength;
  }

  /** The name used in configs, IV_CIPHERS and the pushed {@code cipher} option. */
  public String openVpnName() {
    return openVpnName;
  }

  public String transformation() {
    return transformation;
  }

  public String keyAlgorithm() {
    return keyAlgorithm;
  }

  public int keyLength() {
    return keyLength;
  }

  public boolean isGcm() {
    return this != CHACHA20_POLY1305;
  }

  /** Case-insensitive lookup by OpenVPN name. */
  public static Optional<DataCipherSuite> byName(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    for (DataCipherSuite s : values()) {
      if (s.openVpnName.equals(n)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
