package io.vpngateway.api.profile;

import io.vpngateway.api.pki.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The complete content of a client's credential Secret (or of the directory {@code vpngw issue
 * --out} writes): the PEM certificate, key and CA under the {@code kubernetes.io/tls} key names,
 * the PKCS#12 bundle with its password, and every profile {@link ClientProfiles} renders. The
 * operator and the standalone CLI both call this, so the two never disagree on file names.
 */
public final class ClientSecretData {
  private ClientSecretData() {}

  public static final String CERTIFICATE = "tls.crt";
  public static final String PRIVATE_KEY = "tls.key";
  public static final String CA_CERTIFICATE = "ca.crt";
  public static final String PKCS12 = "keystore.p12";
  public static final String PKCS12_PASSWORD = "keystore.p12.password";

  /**
   * The Secret data for {@code issued}, with profiles rendered from {@code profile} (whose
   * certificate, key and PKCS#12 must be the issued ones).
   */
  public static Map<String, byte[]> of(IssuedCertificate issued, ClientProfileInput profile) {
    if (!profile.clientCertificatePem().strip().equals(issued.certificatePem().strip())) {
      throw new IllegalArgumentException(
          "the profile input carries a different certificate than the one issued");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    data.put(CERTIFICATE, utf8(issued.certificatePem()));
    data.put(PRIVATE_KEY, utf8(issued.privateKeyPem()));
    data.put(CA_CERTIFICATE, utf8(issued.caCertificatePem()));
    if (profile.pkcs12() != null) {
      data.put(PKCS12, profile.pkcs12().der());
      data.put(PKCS12_PASSWORD, utf8(profile.pkcs12().password()));
    }
    data.putAll(ClientProfiles.render(profile));
    return Collections.unmodifiableMap(data);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
