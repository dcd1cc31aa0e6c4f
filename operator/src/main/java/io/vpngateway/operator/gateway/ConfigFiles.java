package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayTokens;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The files a gateway pod sees in its config directory, and which Secret each comes from. One
 * projected volume joins them, so the CA private key is never mounted and a CRL update by the
 * ClientCertificate reconciler reaches the pods without touching the config Secret.
 */
public final class ConfigFiles {
  /** The config document's file name. */
  public static final String DOCUMENT = "config.yaml";

  /**
   * Keys of the CA Secret: kubernetes.io/tls plus ca.crt, the shape cert-manager's CA issuer reads.
   */
  public static final String CA_CERT_KEY = "ca.crt";

  public static final String TLS_CERT_KEY = "tls.crt";
  public static final String TLS_KEY_KEY = "tls.key";

  /** Keys of the CRL Secret. */
  public static final String CRL_KEY = "crl.pem";

  public static final String TLS_CRYPT_V2_SERVER_KEY = "tls-crypt-v2-server.key";

  private static final int READ_ONLY_BY_OWNER = 0400;

  private ConfigFiles() {}

  /**
   * The config Secret's files: the document, the two gateway tokens (kept from {@code actual} when
   * it has them, so they survive every reconcile), the management API's certificate and key, and
   * the copied referenced Secrets.
   */
  public static Map<String, String> of(
      GatewayConfig config,
      Map<String, String> referencedFiles,
      Optional<Secret> actual,
      ServerCertificates.ServerTls management,
      SecureRandom random) {
    GatewayConfig.Files files = config.files();
    Map<String, String> result = new TreeMap<>(referencedFiles);
    result.put(DOCUMENT, GatewayConfigCodec.write(config));
    result.put(files.managementCertificate(), management.certificatePem());
    result.put(files.managementKey(), management.keyPem());
    result.putAll(
        GatewayTokens.keepOrCreate(
            files, file -> actual.flatMap(s -> SecretData.get(s, file)), random));
    return result;
  }

  /** The projected volume of the gateway pod's config directory. */
  static Volume projectedVolume(String volumeName, VpnGateway gateway, GatewayInputs inputs) {
    GatewayConfig.Files files = inputs.config().files();
    List<VolumeProjection> sources =
        List.of(
            secret(Names.configSecret(gateway), null),
            secret(Names.caSecret(gateway), List.of(item(CA_CERT_KEY, files.caCertificate()))),
            secret(
                inputs.serverSecretName(),
                List.of(
                    item(TLS_CERT_KEY, files.serverCertificate()),
                    item(TLS_KEY_KEY, files.serverKey()))),
            secret(
                Names.crlSecret(gateway),
                List.of(
                    item(CRL_KEY, files.crl()),
                    item(TLS_CRYPT_V2_SERVER_KEY, files.tlsCryptV2ServerKey()))));
    return new VolumeBuilder()
        .withName(volumeName)
        .withNewProjected()
        .withDefaultMode(READ_ONLY_BY_OWNER)
        .withSources(sources)
        .endProjected()
        .build();
  }

  private static VolumeProjection secret(String name, List<KeyToPath> items) {
    return new VolumeProjectionBuilder()
        .withNewSecret()
        .withName(name)
        .withItems(items)
        .endSecret()
        .build();
  }

  private static KeyToPath item(String key, String path) {
    return new KeyToPath(key, null, path);
  }
}
