package io.vpngateway.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.List;

/** Reads and writes the config document as YAML. Reading validates; nothing half-read escapes. */
public final class GatewayConfigCodec {
  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private GatewayConfigCodec() {}

  public static String write(GatewayConfig config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the gateway config", e);
    }
  }

  /** Parses and validates; every problem is reported in the exception, with its field. */
  public static GatewayConfig read(String yaml) throws InvalidConfigException {
    GatewayConfig config;
    try {
      config = YAML.readValue(yaml, GatewayConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(
          List.of(new ConfigError(e.getPathReference(), "unknown field '" + e.getPropertyName() + "'")));
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? "document"
              : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new InvalidConfigException(List.of(new ConfigError(where, e.getOriginalMessage())));
    }
    if (config == null) {
      throw new InvalidConfigException(List.of(new ConfigError("document", "is empty")));
    }
    return GatewayConfigValidator.requireValid(config);
  }
}
