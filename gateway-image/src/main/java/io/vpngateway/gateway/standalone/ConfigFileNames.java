package io.vpngateway.gateway.standalone;

import io.vpngateway.api.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The file names a config document refers to ({@code files} and the RADIUS servers' {@code
 * secretFile}), read as a plain YAML tree without binding or validating the rest of the document.
 *
 * <p>What the short-lived commands need from it ({@code vpngw revoke}: where the CRL is, which
 * files hold secrets and must stay 0600). In a fresh JVM the full codec ({@link
 * io.vpngateway.api.config.GatewayConfigCodec}: Jackson's binding of the records and the validator)
 * costs about 0.75 s of CPU, over half of the command's, where SnakeYAML's tree costs about 0.15 s.
 * {@code vpngw serve} reads the whole document with the codec as before; the names read here are
 * the same fields.
 */
record ConfigFileNames(GatewayConfig.Files files, List<String> radiusSecretFiles) {
  private static final int MAX_ALIASES = 50;

  /**
   * Reads {@code files} (every name required but the management certificate and key, which may be
   * absent as in the full document) and {@code authentication.radius.servers[].secretFile}.
   *
   * @throws IllegalArgumentException when the text is not YAML or lacks a required name; the
   *     message says which
   */
  static ConfigFileNames read(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not a YAML document: " + e.getMessage(), e);
    }
    Map<?, ?> document = map(root, "document");
    Map<?, ?> files = map(document.get("files"), "files");
    GatewayConfig.Files names =
        new GatewayConfig.Files(
            required(files, "caCertificate"),
            required(files, "serverCertificate"),
            required(files, "serverKey"),
            required(files, "crl"),
            required(files, "tlsCryptV2ServerKey"),
            required(files, "authTokenKey"),
            required(files, "managementToken"),
            optional(files, "managementCertificate"),
            optional(files, "managementKey"));
    List<String> radiusSecrets = new ArrayList<>();
    if (document.get("authentication") instanceof Map<?, ?> authentication
        && authentication.get("radius") instanceof Map<?, ?> radius
        && radius.get("servers") instanceof List<?> servers) {
      for (Object server : servers) {
        if (server instanceof Map<?, ?> s && s.get("secretFile") instanceof String secretFile) {
          radiusSecrets.add(secretFile);
        }
      }
    }
    return new ConfigFileNames(names, List.copyOf(radiusSecrets));
  }

  private static Map<?, ?> map(Object node, String where) {
    if (node instanceof Map<?, ?> m) {
      return m;
    }
    throw new IllegalArgumentException(where + " is not a mapping");
  }

  private static String required(Map<?, ?> files, String key) {
    String value = optional(files, key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("files." + key + " is missing");
    }
    return value;
  }

  private static String optional(Map<?, ?> files, String key) {
    Object value = files.get(key);
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("files." + key + " is not a file name");
  }
}
