package io.vpngateway.gateway.load;

import io.vpngateway.api.openvpn.TlsCryptV2ClientKey;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.profile.ClientIssuance;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The simulated clients' credentials, issued as {@code vpngw issue} issues them: a client
 * certificate from the state directory's CA ({@link ClientIssuance#request}, recorded in the
 * directory so {@code vpngw revoke NAME} finds it) and a tls-crypt-v2 client key wrapped with the
 * gateway's server key ({@link ClientIssuance#newTlsCryptV2ClientKey}). Profiles and PKCS#12 files
 * are not written: the load clients need the keys, not the files.
 *
 * <p>One {@link SSLContext} serves every client: its key manager picks the certificate of the
 * client an engine was made for, and engines are made without a peer host, so no TLS session is
 * ever resumed (openvpn clients never resume either).
 */
public final class LoadCredentials {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String[] names;
  private final X509Certificate[] certificates;
  private final PrivateKey[] keys;
  private final TlsCryptV2ClientKey[] tlsCryptV2;
  private final SSLContext context;
  private final Map<SSLEngine, Integer> engines = Collections.synchronizedMap(new WeakHashMap<>());

  private LoadCredentials(
      String[] names,
      X509Certificate[] certificates,
      PrivateKey[] keys,
      TlsCryptV2ClientKey[] tlsCryptV2,
      X509Certificate ca)
      throws Exception {
    this.names = names;
    this.certificates = certificates;
    this.keys = keys;
    this.tlsCryptV2 = tlsCryptV2;
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {new PerClientKeyManager()}, tmf.getTrustManagers(), RANDOM);
  }

  /**
   * Issues {@code count} clients named {@code prefix-00000} ... from the CA in {@code state},
   * with keys of {@code algorithm} ({@code size} bits for RSA, else P-256), on {@code threads}
   * threads.
   */
  public static LoadCredentials issue(
      StateDirectory state,
      String prefix,
      int count,
      PrivateKeySpec.Algorithm algorithm,
      int size,
      int threads)
      throws Exception {
    CertificateAuthority ca = state.certificateAuthority();
    TlsCryptV2ServerKey serverKey =
        TlsCryptV2ServerKey.parse(
            Files.readString(
                state.path().resolve(state.config().files().tlsCryptV2ServerKey()),
                StandardCharsets.US_ASCII));
    String[] names = new String[count];
    X509Certificate[] certs = new X509Certificate[count];
    PrivateKey[] keys = new PrivateKey[count];
    TlsCryptV2ClientKey[] v2 = new TlsCryptV2ClientKey[count];
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      Future<?>[] done = new Future<?>[count];
      for (int i = 0; i < count; i++) {
        int n = i;
        done[i] =
            pool.submit(
                () -> {
                  names[n] = String.format("%s-%05d", prefix, n);
                  ClientCertificateSpec spec = new ClientCertificateSpec();
                  spec.commonName = names[n];
                  spec.privateKey = new PrivateKeySpec();
                  spec.privateKey.algorithm = algorithm;
                  spec.privateKey.size = algorithm == PrivateKeySpec.Algorithm.RSA ? size : 256;
                  Instant now = Instant.now();
                  IssuedCertificate issued =
                      ca.issueClientCertificate(ClientIssuance.request(spec), now);
                  state.recordIssued(names[n], issued);
                  certs[n] = issued.certificate();
                  keys[n] = issued.privateKey();
                  v2[n] =
                      TlsCryptV2ClientKey.parse(
                          ClientIssuance.newTlsCryptV2ClientKey(serverKey, RANDOM, now));
                  return null;
                });
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new LoadCredentials(names, certs, keys, v2, ca.certificate());
  }

  public int size() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  TlsCryptV2ClientKey tlsCryptV2(int i) {
    return tlsCryptV2[i];
  }

  /** A new client-mode engine presenting client {@code i}'s certificate. */
  SSLEngine newEngine(int i) {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(true);
    engines.put(e, i);
    return e;
  }

  /** Picks the certificate by the engine it was made for. */
  private final class PerClientKeyManager extends X509ExtendedKeyManager {
    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      Integer i = engines.get(engine);
      return i == null ? null : Integer.toString(i);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return new X509Certificate[] {certificates[Integer.parseInt(alias)]};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys[Integer.parseInt(alias)];
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
