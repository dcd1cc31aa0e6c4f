package io.vpngateway.operator.support;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vpngateway.api.pki.Pem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** A local HTTPS server that serves a given management certificate, as a gateway pod does. */
public final class ManagementTlsFixture {
  private ManagementTlsFixture() {}

  /** An unstarted HTTPS server on a free loopback port serving {@code certPem}/{@code keyPem}. */
  public static HttpsServer server(String certPem, String keyPem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry(
        "management",
        Pem.decodePrivateKey(keyPem),
        password,
        Pem.decodeCertificates(certPem).toArray(new X509Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    HttpsServer server;
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    } catch (IOException e) {
      throw e;
    }
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    return server;
  }
}
