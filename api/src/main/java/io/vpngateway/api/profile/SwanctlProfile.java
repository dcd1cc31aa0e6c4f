package io.vpngateway.api.profile;

import java.util.Map;

/**
 * A strongSwan client configuration: {@code swanctl.conf}, the credential files it refers to (by
 * their path relative to the swanctl directory, e.g. {@code x509/client.crt}) and how to install
 * it.
 */
public record SwanctlProfile(String swanctlConf, Map<String, String> files, String instructions) {
  public SwanctlProfile {
    files = Map.copyOf(files);
  }
}
