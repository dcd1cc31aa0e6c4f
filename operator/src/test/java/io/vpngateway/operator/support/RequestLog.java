package io.vpngateway.operator.support;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The mock server's request log: what the operator sent, as {@code METHOD path}. */
public final class RequestLog {
  private RequestLog() {}

  /** Takes every request recorded so far. */
  public static List<String> drain(KubernetesMockServer server) throws InterruptedException {
    List<String> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r.getMethod() + " " + r.getPath());
    }
    return requests;
  }

  /** The requests that change something (anything but GET and watches). */
  public static List<String> writes(List<String> requests) {
    return requests.stream().filter(r -> !r.startsWith("GET ")).toList();
  }
}
