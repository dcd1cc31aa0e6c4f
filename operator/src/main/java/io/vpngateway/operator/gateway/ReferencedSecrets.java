package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import io.vpngateway.operator.support.SecretData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The user's Secrets a VpnGateway references (trusted roots, RADIUS shared secrets) and the files
 * of the config Secret they become. Their values are copied into the config Secret so that a change
 * (new root, rotated RADIUS secret) reaches running pods through the mounted Secret, without a
 * restart. Messages name the Secret and the spec field, never a value.
 */
public final class ReferencedSecrets {
  /** Index of the primary cache: which gateways reference a Secret ({@code namespace/name}). */
  public static final String INDEX = "vpngateway-referenced-secrets";

  static final String DEFAULT_ROOT_KEY = "ca.crt";
  static final String DEFAULT_RADIUS_KEY = "secret";

  /**
   * One reference: where in the spec, which Secret and key, and the config file it becomes (null
   * for a Secret the pods mount directly, such as a bring-your-own server certificate).
   */
  public record Reference(String field, String secret, String key, String file) {}

  /** The files to write, or the references that could not be resolved (as messages). */
  public record Resolution(Map<String, String> files, List<String> missing) {
    public boolean complete() {
      return missing.isEmpty();
    }
  }

  private ReferencedSecrets() {}

  /** Every Secret reference of the spec, in spec order. */
  public static List<Reference> of(VpnGatewaySpec spec) {
    List<Reference> refs = new ArrayList<>();
    if (spec.authentication != null && spec.authentication.certificate != null) {
      List<SecretKeyRef> roots = spec.authentication.certificate.trustedRoots;
      for (int i = 0; roots != null && i < roots.size(); i++) {
        refs.add(
            reference(
                "authentication.certificate.trustedRoots[" + i + "]",
                roots.get(i),
                DEFAULT_ROOT_KEY,
                GatewayConfigRenderer.trustedRootFile(i)));
      }
    }
    if (spec.authentication != null && spec.authentication.radius != null) {
      var servers = spec.authentication.radius.servers;
      for (int i = 0; servers != null && i < servers.size(); i++) {
        refs.add(
            reference(
                "authentication.radius.servers[" + i + "].secretRef",
                servers.get(i).secretRef,
                DEFAULT_RADIUS_KEY,
                GatewayConfigRenderer.radiusSecretFile(i)));
      }
    }
    if (spec.serverCertificate != null
        && spec.serverCertificate.secretName != null
        && !spec.serverCertificate.secretName.isBlank()) {
      for (String key : List.of("tls.crt", "tls.key")) {
        refs.add(
            new Reference(
                "serverCertificate.secretName", spec.serverCertificate.secretName, key, null));
      }
    }
    return refs;
  }

  /** Index keys ({@code namespace/name}) of the Secrets {@code gateway} references. */
  public static List<String> indexKeys(VpnGateway gateway) {
    if (gateway.getSpec() == null) {
      return List.of();
    }
    Set<String> keys = new TreeSet<>();
    for (Reference ref : of(gateway.getSpec())) {
      keys.add(indexKey(gateway.getMetadata().getNamespace(), ref.secret()));
    }
    return List.copyOf(keys);
  }

  public static String indexKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** Reads every reference through {@code lookup} (Secret name → Secret, from a cache). */
  public static Resolution resolve(
      List<Reference> refs, Function<String, Optional<Secret>> lookup) {
    Map<String, String> files = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (Reference ref : refs) {
      Optional<Secret> secret = lookup.apply(ref.secret());
      if (secret.isEmpty()) {
        missing.add("Secret '" + ref.secret() + "' (" + ref.field() + ") not found");
        continue;
      }
      Optional<String> value = SecretData.get(secret.get(), ref.key());
      if (value.isEmpty() || value.get().isBlank()) {
        missing.add(
            "Secret '" + ref.secret() + "' (" + ref.field() + ") has no key '" + ref.key() + "'");
        continue;
      }
      if (ref.file() != null) {
        files.put(ref.file(), value.get());
      }
    }
    return new Resolution(files, missing.stream().distinct().toList());
  }

  private static Reference reference(
      String field, SecretKeyRef ref, String defaultKey, String file) {
    String key = ref.key == null || ref.key.isBlank() ? defaultKey : ref.key;
    return new Reference(field, ref.name, key, file);
  }
}
