package io.vpngateway.gateway.config;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Secret material read from a config file (a shared secret, a token, a key). Kept as bytes, never
 * as a String, so it does not end up interned or in a log line: {@link #toString()} is redacted and
 * comparison is constant-time.
 */
public final class SecretBytes {
  private final byte[] value;

  private SecretBytes(byte[] value) {
    this.value = value;
  }

  /** Wraps a copy of {@code value}. */
  public static SecretBytes of(byte[] value) {
    return new SecretBytes(value.clone());
  }

  /** A copy of the secret; the caller should clear it when done. */
  public byte[] bytes() {
    return value.clone();
  }

  public int length() {
    return value.length;
  }

  /** Constant-time comparison with {@code candidate} (e.g. a presented bearer token). */
  public boolean matches(byte[] candidate) {
    return MessageDigest.isEqual(value, candidate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretBytes other && MessageDigest.isEqual(value, other.value);
  }

  @Override
  public int hashCode() {
    // deliberately constant: a hash of the secret would leak bits of it to anyone who logs it
    return 0;
  }

  @Override
  public String toString() {
    return "SecretBytes[" + value.length + " bytes, redacted]";
  }

  /** Overwrites a temporary copy, e.g. what {@link #bytes()} returned. */
  public static void wipe(byte[] copy) {
    Arrays.fill(copy, (byte) 0);
  }
}
