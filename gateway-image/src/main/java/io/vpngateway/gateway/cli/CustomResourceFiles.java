package io.vpngateway.gateway.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a VpnGateway or ClientCertificate YAML file, as {@code kubectl apply -f} would take it. */
final class CustomResourceFiles {
  private CustomResourceFiles() {}

  static <T extends HasMetadata> T read(Path file, Class<T> type, String kind)
      throws UserException {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserException(file + " does not exist");
    } catch (IOException e) {
      throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
    }
    T resource;
    try {
      resource = Serialization.unmarshal(yaml, type);
    } catch (RuntimeException e) {
      throw new UserException(file + " is not a valid " + kind + ": " + rootMessage(e), e);
    }
    if (resource == null || !kind.equals(resource.getKind())) {
      throw new UserException(
          file
              + " must hold a "
              + kind
              + " (kind: "
              + kind
              + "), found "
              + (resource == null ? "nothing" : "kind " + resource.getKind()));
    }
    if (resource.getMetadata() == null || resource.getMetadata().getName() == null) {
      throw new UserException(file + ": metadata.name is required");
    }
    return resource;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
