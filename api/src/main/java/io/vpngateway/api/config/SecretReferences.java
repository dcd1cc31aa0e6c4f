package io.vpngateway.api.config;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The user's Secrets a VpnGateway references (trusted roots, RADIUS shared secrets, the OIDC
 * client secret and issuer CA, a bring-your-own server certificate) and the config files they
 * become. Shared by the operator
 * (which reads them from its Secret cache into the config Secret) and by {@code vpngw serve -f}
 * (which reads them from Secret documents in the same file, as {@code kubectl apply -f} would take
 * them). Messages name the Secret and the spec field, never a value.
 */
public final class SecretReferences {
  public static final String DEFAULT_ROOT_KEY = "ca.crt";
  public static final String DEFAULT_RADIUS_KEY = "secret";
  public static final String DEFAULT_OIDC_CLIENT_SECRET_KEY = "clientSecret";

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

  private SecretReferences() {}

  /** Every Secret reference of the spec, in spec order. */
  public static List<Reference> of(VpnGatewaySpec spec) {
    List<Reference> refs = new ArrayList<>();
    if (spec.authentication != null && spec.authentication.certificate != null) {
      List<? extends SecretKeyRef> roots = spec.authentication.certificate.trustedRoots;
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
    if (spec.authentication != null && spec.authentication.oidc != null) {
      var oidc = spec.authentication.oidc;
      if (oidc.clientSecretRef != null) {
        refs.add(
            reference(
                "authentication.oidc.clientSecretRef",
                oidc.clientSecretRef,
                DEFAULT_OIDC_CLIENT_SECRET_KEY,
                GatewayConfigRenderer.OIDC_CLIENT_SECRET_FILE));
      }
      if (oidc.issuerCaRef != null) {
        refs.add(
            reference(
                "authentication.oidc.issuerCaRef",
                oidc.issuerCaRef,
                DEFAULT_ROOT_KEY,
                GatewayConfigRenderer.OIDC_ISSUER_CA_FILE));
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

  /** Reads every reference through {@code lookup} (Secret name → Secret). */
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
      Optional<String> value = value(secret.get(), ref.key());
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

  /**
   * The decoded value of {@code key} from {@code data} or, as written by hand and before the API
   * server folds it, {@code stringData}.
   */
  public static Optional<String> value(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        return Optional.of(new String(Base64.getDecoder().decode(
            secret.getData().get(key).replaceAll("\\s", "")), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      return Optional.of(secret.getStringData().get(key));
    }
    return Optional.empty();
  }

  private static Reference reference(
      String field, SecretKeyRef ref, String defaultKey, String file) {
    String key = ref.key == null || ref.key.isBlank() ? defaultKey : ref.key;
    return new Reference(field, ref.name, key, file);
  }
}
