package io.vpngateway.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vpngw sessions}: lists the live sessions of a running gateway. */
@Command(name = "sessions", description = "List the sessions of a running gateway.")
final class SessionsCommand implements Callable<Integer> {
  private static final String FORMAT = "%-24s %-16s %-8s %-15s %-21s %-20s %12s %12s %s%n";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ManagementClient client;

  @Option(names = "--json", description = "Print the API's JSON as is.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    HttpResponse<String> response = client.send("GET", "/sessions");
    if (response.statusCode() != 200) {
      throw new UserException(
          "the gateway answered " + response.statusCode() + ": " + response.body().trim());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(response.body());
    } else {
      out.printf(
          FORMAT,
          "ID",
          "IDENTITY",
          "PROTO",
          "INNER",
          "OUTER",
          "SINCE",
          "BYTES IN",
          "BYTES OUT",
          "CIPHER");
      for (JsonNode s : new ObjectMapper().readTree(response.body())) {
        out.printf(
            FORMAT,
            s.path("id").asText(),
            s.path("identity").asText(),
            s.path("protocol").asText(),
            s.path("innerAddress").asText(),
            s.path("outerAddress").asText(),
            s.path("since").asText(),
            s.path("bytesIn").asLong(),
            s.path("bytesOut").asLong(),
            s.path("cipher").asText());
      }
    }
    out.flush();
    return 0;
  }
}
