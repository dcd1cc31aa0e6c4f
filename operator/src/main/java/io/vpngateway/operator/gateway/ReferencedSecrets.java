package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.config.SecretReferences;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import java.util.List;
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

  private ReferencedSecrets() {}

  /** Every Secret reference of the spec, in spec order (shared with {@code vpngw serve -f}). */
  public static List<SecretReferences.Reference> of(VpnGatewaySpec spec) {
    return SecretReferences.of(spec);
  }

  /** Index keys ({@code namespace/name}) of the Secrets {@code gateway} references. */
  public static List<String> indexKeys(VpnGateway gateway) {
    if (gateway.getSpec() == null) {
      return List.of();
    }
    Set<String> keys = new TreeSet<>();
    for (SecretReferences.Reference ref : of(gateway.getSpec())) {
      keys.add(indexKey(gateway.getMetadata().getNamespace(), ref.secret()));
    }
    return List.copyOf(keys);
  }

  public static String indexKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** Reads every reference through {@code lookup} (Secret name → Secret, from a cache). */
  public static SecretReferences.Resolution resolve(
      List<SecretReferences.Reference> refs, Function<String, Optional<Secret>> lookup) {
    return SecretReferences.resolve(refs, lookup);
  }
}
