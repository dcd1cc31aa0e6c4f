package io.vpngateway.gateway.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.config.SecretReferences;
import io.vpngateway.api.v1alpha1.VpnGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code vpngw serve -f FILE} reads: one VpnGateway and, in the same multi-document YAML
 * file, the Secrets it references (RADIUS shared secrets, trusted roots), as {@code kubectl apply
 * -f} would take them ({@code data} base64 or {@code stringData}). Other kinds are ignored with the
 * same tolerance as kubectl applying a mixed file.
 *
 * @param gateway the VpnGateway (exactly one in the file)
 * @param secrets the Secret documents by name
 */
public record GatewayFile(VpnGateway gateway, Map<String, Secret> secrets) {
  private static final ObjectMapper YAML = new YAMLMapper();

  public GatewayFile {
    secrets = Map.copyOf(secrets);
  }

  /** Parses the file's text; {@code name} is how messages call the file. */
  public static GatewayFile parse(String text, String name) throws StandaloneException {
    VpnGateway gateway = null;
    Map<String, Secret> secrets = new LinkedHashMap<>();
    List<JsonNode> documents;
    try {
      documents = YAML.readValues(new YAMLFactory().createParser(text), JsonNode.class).readAll();
    } catch (IOException | RuntimeException e) {
      throw new StandaloneException(name + " is not valid YAML: " + firstLine(e), e);
    }
    int index = 0;
    java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
    for (JsonNode doc : documents) {
      index++;
      if (doc == null || doc.isNull() || doc.isMissingNode()) {
        continue;
      }
      String kind = doc.path("kind").asText("");
      kinds.add(kind.isEmpty() ? "(none)" : kind);
      String yaml = doc.toString();
      try {
        if (kind.equals("VpnGateway")) {
          if (gateway != null) {
            throw new StandaloneException(name + " holds more than one VpnGateway (document "
                + index + "); serve one gateway per file");
          }
          gateway = Serialization.unmarshal(yaml, VpnGateway.class);
        } else if (kind.equals("Secret")) {
          Secret secret = Serialization.unmarshal(yaml, Secret.class);
          if (secret.getMetadata() == null || secret.getMetadata().getName() == null) {
            throw new StandaloneException(name + ": the Secret of document " + index
                + " has no metadata.name");
          }
          secrets.put(secret.getMetadata().getName(), secret);
        }
      } catch (RuntimeException e) {
        throw new StandaloneException(name + ": document " + index + " is not a valid " + kind
            + ": " + firstLine(e), e);
      }
    }
    if (gateway == null) {
      throw new StandaloneException(name + " must hold a VpnGateway (kind: VpnGateway), found "
          + (kinds.isEmpty() ? "nothing" : "kind " + String.join(", ", kinds)));
    }
    if (gateway.getMetadata() == null || gateway.getMetadata().getName() == null) {
      throw new StandaloneException(name + ": metadata.name of the VpnGateway is required");
    }
    if (gateway.getSpec() == null) {
      throw new StandaloneException(name + ": the VpnGateway has no spec");
    }
    return new GatewayFile(gateway, secrets);
  }

  public static GatewayFile parse(byte[] content, String name) throws StandaloneException {
    return parse(new String(content, StandardCharsets.UTF_8), name);
  }

  /** The Secret named {@code name} from the file, if it holds one. */
  public Optional<Secret> secret(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  /** The references of the VpnGateway to Secrets, resolved against this file's Secrets. */
  public SecretReferences.Resolution resolve() {
    return SecretReferences.resolve(SecretReferences.of(gateway.getSpec()), this::secret);
  }

  private static String firstLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
