package io.vpngateway.gateway.management;

import io.vpngateway.gateway.config.RuntimeConfig.ManagementTlsFiles;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The management API's server key material, taken from the current config at every handshake, so a
 * renewed management certificate (a reload of the config directory) reaches the next caller
 * without a restart. The JDK's own key manager does the work (key type and signature scheme
 * choice); this one only swaps it when the files change. A reload that loses the files keeps the
 * last good pair.
 */
final class ManagementKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = Logger.getLogger(ManagementKeyManager.class.getName());
  private static final char[] IN_MEMORY = "in-memory".toCharArray();

  private record Loaded(ManagementTlsFiles files, X509ExtendedKeyManager keyManager) {}

  private final Supplier<Optional<ManagementTlsFiles>> current;
  private volatile Loaded loaded;

  private ManagementKeyManager(Supplier<Optional<ManagementTlsFiles>> current, Loaded first) {
    this.current = current;
    this.loaded = first;
  }

  /** A TLS server context serving {@code current}'s certificate; {@code first} is what it is now. */
  static SSLContext serverContext(
      Supplier<Optional<ManagementTlsFiles>> current, ManagementTlsFiles first)
      throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        new KeyManager[] {new ManagementKeyManager(current, load(first))},
        null,
        new SecureRandom());
    return context;
  }

  private static Loaded load(ManagementTlsFiles files) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    store.setKeyEntry(
        "management", files.key(), IN_MEMORY, files.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, IN_MEMORY);
    for (KeyManager km : factory.getKeyManagers()) {
      if (km instanceof X509ExtendedKeyManager x509) {
        return new Loaded(files, x509);
      }
    }
    throw new GeneralSecurityException("no X.509 key manager");
  }

  private X509ExtendedKeyManager delegate() {
    Loaded now = loaded;
    Optional<ManagementTlsFiles> files = current.get();
    if (files.isPresent() && files.get() != now.files()) {
      try {
        now = load(files.get());
        loaded = now;
      } catch (GeneralSecurityException e) {
        LOG.warning("the reloaded management certificate cannot be used, keeping the last: " + e);
      }
    }
    return now.keyManager();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate().getPrivateKey(alias);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate().getServerAliases(keyType, issuers);
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
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
