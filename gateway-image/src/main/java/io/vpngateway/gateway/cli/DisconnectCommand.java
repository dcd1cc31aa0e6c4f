package io.vpngateway.gateway.cli;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpngw disconnect ID}: ends one session of a running gateway. */
@Command(name = "disconnect", description = "End one session (its ID from 'vpngw sessions').")
final class DisconnectCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ManagementClient client;

  @Parameters(index = "0", paramLabel = "ID", description = "The session id.")
  String id;

  @Override
  public Integer call() throws Exception {
    HttpResponse<String> response =
        client.send("DELETE", "/sessions/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    if (response.statusCode() == 404) {
      throw new UserException("no session with id " + id + " (list them with 'vpngw sessions')");
    }
    if (response.statusCode() != 204) {
      throw new UserException(
          "the gateway answered " + response.statusCode() + ": " + response.body().trim());
    }
    spec.commandLine().getOut().println("disconnected " + id);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
