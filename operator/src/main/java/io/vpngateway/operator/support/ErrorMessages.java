package io.vpngateway.operator.support;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Short error descriptions for conditions and events. They carry the API server's status message or
 * the exception message, never request bodies (a Secret's data never reaches a message).
 */
public final class ErrorMessages {
  static final int MAX_LENGTH = 400;

  private ErrorMessages() {}

  public static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
      root = root.getCause();
    }
    String text;
    if (root instanceof KubernetesClientException k && k.getStatus() != null) {
      text = "API server answered " + k.getCode() + ": " + k.getStatus().getMessage();
    } else {
      text = root.getClass().getSimpleName() + ": " + root.getMessage();
    }
    text = text.lines().findFirst().orElse(text);
    return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
  }
}
