package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP request that opens an SSTP connection (MS-SSTP section 3.2.4.1 and 4.1): {@code
 * SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1} with {@code
 * Content-Length: 18446744073709551615} and an {@code SSTPCORRELATIONID} header.
 *
 * <p>The request head is read byte by byte up to the empty line (at most {@link #MAX_HEAD}
 * octets), so not one octet of the SSTP stream behind it is consumed. The correlation id is kept
 * as text only: sstpc 1.0.18 sends a malformed GUID, so it is never validated.
 */
public record SstpHttpRequest(
    String method, String uri, String version, Map<String, String> headers) {
  public static final String METHOD = "SSTP_DUPLEX_POST";
  public static final String URI = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";
  static final int MAX_HEAD = 8192;

  /** The head of the 200 reply (MS-SSTP section 3.3.4.1 / 4.1). */
  public static final byte[] OK_RESPONSE =
      ("HTTP/1.1 200 OK\r\n"
              + "Content-Length: 18446744073709551615\r\n"
              + "Server: vpngw\r\n"
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  public SstpHttpRequest {
    headers = Map.copyOf(headers);
  }

  /** A header by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** Whether this is the SSTP request (method, URI and HTTP version as the spec requires). */
  public boolean isSstp() {
    return METHOD.equals(method) && URI.equalsIgnoreCase(uri) && "HTTP/1.1".equals(version);
  }

  /**
   * Reads and parses one request head.
   *
   * @throws MalformedSstpException when it is not HTTP, too long, or ends early
   */
  public static SstpHttpRequest read(InputStream in) throws IOException, MalformedSstpException {
    byte[] head = new byte[MAX_HEAD];
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new MalformedSstpException("connection closed inside the HTTP request");
      }
      if (n == MAX_HEAD) {
        throw new MalformedSstpException("HTTP request head longer than " + MAX_HEAD + " octets");
      }
      head[n++] = (byte) b;
      if (n >= 4
          && head[n - 4] == '\r'
          && head[n - 3] == '\n'
          && head[n - 2] == '\r'
          && head[n - 1] == '\n') {
        break;
      }
    }
    return parse(new String(head, 0, n - 4, StandardCharsets.ISO_8859_1));
  }

  static SstpHttpRequest parse(String head) throws MalformedSstpException {
    String[] lines = head.split("\r\n", -1);
    String[] request = lines[0].split(" ", -1);
    if (request.length != 3 || request[0].isEmpty() || !request[2].startsWith("HTTP/")) {
      throw new MalformedSstpException("not an HTTP request line");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        throw new MalformedSstpException("malformed HTTP header line");
      }
      headers.putIfAbsent(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    return new SstpHttpRequest(request[0], request[1], request[2], headers);
  }
}
