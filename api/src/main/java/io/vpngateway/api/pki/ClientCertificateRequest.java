package io.vpngateway.api.pki;

import java.security.PrivateKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A client certificate to issue.
 *
 * @param commonName subject CN, the user or device identity the gateway reports and logs
 * @param groups group names, written as subject OU values; the gateway's authenticator reads them
 *     back with {@link ClientCertificates#groupsOf} to pick the address pool. Duplicates are
 *     dropped, order is kept.
 * @param validity lifetime from issuance ({@code duration}), clamped to the CA's notAfter
 * @param keySpec algorithm and size for a new key
 * @param rotationPolicy {@link RotationPolicy#NEVER} reuses {@code previousKey} when present
 * @param previousKey the key of the certificate being renewed, or {@code null}
 */
public record ClientCertificateRequest(
    String commonName,
    List<String> groups,
    Duration validity,
    KeySpec keySpec,
    RotationPolicy rotationPolicy,
    PrivateKey previousKey) {

  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

  /** Enough for any realistic group model while keeping the subject DN a reasonable size. */
  public static final int MAX_GROUPS = 32;

  public ClientCertificateRequest {
    Names.requireRdnValue(commonName, "client certificate common name");
    groups = List.copyOf(new LinkedHashSet<>(Objects.requireNonNullElse(groups, List.of())));
    if (groups.size() > MAX_GROUPS) {
      throw new PkiException(
          "at most " + MAX_GROUPS + " groups per client certificate, got " + groups.size());
    }
    groups.forEach(g -> Names.requireRdnValue(g, "group name"));
    ServerCertificateRequest.requirePositive(validity);
    Objects.requireNonNull(keySpec, "keySpec");
    rotationPolicy = Objects.requireNonNullElse(rotationPolicy, RotationPolicy.ALWAYS);
  }

  /** A request for a fresh key, no previous key. */
  public static ClientCertificateRequest of(
      String commonName, List<String> groups, Duration validity, KeySpec keySpec) {
    return new ClientCertificateRequest(
        commonName, groups, validity, keySpec, RotationPolicy.ALWAYS, null);
  }

  /** The same request renewing a certificate whose key was {@code key}. */
  public ClientCertificateRequest withPreviousKey(RotationPolicy policy, PrivateKey key) {
    return new ClientCertificateRequest(commonName, groups, validity, keySpec, policy, key);
  }

  /** Never prints the previous key (the JDK's RSA key toString includes the private exponent). */
  @Override
  public String toString() {
    return "ClientCertificateRequest[commonName="
        + commonName
        + ", groups="
        + groups
        + ", validity="
        + validity
        + ", keySpec="
        + keySpec
        + ", rotationPolicy="
        + rotationPolicy
        + ", previousKey="
        + (previousKey == null ? "none" : "<redacted>")
        + "]";
  }
}
