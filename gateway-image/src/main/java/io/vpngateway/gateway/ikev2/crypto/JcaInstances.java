package io.vpngateway.gateway.ikev2.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * JCA engine objects kept per thread, so that a handshake does not look its algorithms up again
 * ({@code getInstance} walks the providers and builds a new engine each time: JFR put the
 * look-ups at 8 % of the IKEv2 control thread per handshake).
 *
 * <p>Engines are not thread-safe; these never leave the thread that asked for them (a {@link
 * ThreadLocal}), and the IKE engine's work for one handshake runs on its control thread. Every
 * caller initialises the engine it gets ({@code init}, {@code initSign}, {@code initVerify}) and
 * finishes with it before it asks for the same algorithm again, so no state carries over from
 * one use to the next: {@code init} resets an engine fully. Nothing here holds an engine across a
 * call into other code. Objects that outlive one call (an SA's ESP encryptor, used by the data
 * plane's threads) keep engines of their own.
 *
 * <p>Known cost: a kept HMAC or AES-GCM engine holds the last key it was given (HMAC's padded key,
 * GCM's last encryption key) until the thread's next use of that algorithm, so the last
 * handshake's SK_* or PRF key stays on the heap after its SA is gone (an idle gateway: until the
 * next handshake). Before, those engines were garbage at once; neither is wiped by the JDK.
 */
public final class JcaInstances {
  private JcaInstances() {}

  /** One thread's engines, by algorithm name. */
  private static final class Engines {
    final Map<String, Cipher> ciphers = new HashMap<>();
    final Map<String, Mac> macs = new HashMap<>();
    final Map<String, Signature> signatures = new HashMap<>();
    final Map<String, MessageDigest> digests = new HashMap<>();
    CertificateFactory certificates;
  }

  private static final ThreadLocal<Engines> ENGINES = ThreadLocal.withInitial(Engines::new);

  /**
   * This thread's X.509 certificate factory (a {@code getInstance} per handshake was a provider
   * walk and a service look-up, ~0.5 % of the control thread; the factory holds no per-call state).
   */
  public static CertificateFactory certificateFactory() throws CertificateException {
    Engines e = ENGINES.get();
    if (e.certificates == null) {
      e.certificates = CertificateFactory.getInstance("X.509");
    }
    return e.certificates;
  }

  /** This thread's cipher for {@code transformation}; the caller initialises it. */
  public static Cipher cipher(String transformation) throws GeneralSecurityException {
    return kept(ENGINES.get().ciphers, transformation, Cipher::getInstance);
  }

  /** This thread's MAC for {@code algorithm}; the caller initialises it. */
  public static Mac mac(String algorithm) throws GeneralSecurityException {
    return kept(ENGINES.get().macs, algorithm, Mac::getInstance);
  }

  /**
   * This thread's signature engine for {@code algorithm} from {@code provider} (null: the JDK's
   * provider order, chosen by the first key); the caller calls {@code initSign} or {@code
   * initVerify}. Not for algorithms that take parameters (RSASSA-PSS), which a previous use would
   * leave set.
   */
  public static Signature signature(String algorithm, Provider provider)
      throws GeneralSecurityException {
    if (provider == null) {
      return kept(ENGINES.get().signatures, algorithm, Signature::getInstance);
    }
    return kept(ENGINES.get().signatures, provider.getName() + "/" + algorithm,
        name -> Signature.getInstance(algorithm, provider));
  }

  /**
   * {@code s.initVerify(key)}; when that fails, {@code s} leaves this thread's engines. A signature
   * engine got without a provider chooses one at its first {@code init} and, if no provider takes
   * that key (a peer's 512-bit RSA key for SHA512withRSA, an RSASSA-PSS key for SHA256withRSA),
   * stays without one for good: kept, it would refuse every later key, ours included, until a
   * restart. A peer's certificate is checked before it is trusted, so anyone could do that.
   */
  public static void initVerify(Signature s, PublicKey key) throws GeneralSecurityException {
    initOrForget(s, () -> s.initVerify(key));
  }

  /**
   * {@code s.initSign(key)}; when that fails, {@code s} leaves this thread's engines (see {@link
   * #initVerify}).
   */
  public static void initSign(Signature s, PrivateKey key) throws GeneralSecurityException {
    initOrForget(s, () -> s.initSign(key));
  }

  private interface SignatureInit {
    void run() throws GeneralSecurityException;
  }

  private static void initOrForget(Signature s, SignatureInit init)
      throws GeneralSecurityException {
    try {
      init.run();
    } catch (GeneralSecurityException | RuntimeException e) {
      ENGINES.get().signatures.values().removeIf(cached -> cached == s);
      throw e;
    }
  }

  /** The provider the JDK's order chose for each transformation (providers do not change). */
  private static final Map<String, Provider> CIPHER_PROVIDERS = new ConcurrentHashMap<>();

  /**
   * A new cipher of its own for {@code transformation} (for objects that outlive a call, as an
   * SA's ESP encryptor), from the provider the JDK's order chose the first time: naming it skips
   * the walk over every provider that a plain {@code getInstance} makes for each SA.
   */
  public static Cipher newCipher(String transformation) throws GeneralSecurityException {
    Provider provider = CIPHER_PROVIDERS.get(transformation);
    if (provider == null) {
      Cipher first = Cipher.getInstance(transformation);
      CIPHER_PROVIDERS.putIfAbsent(transformation, first.getProvider());
      return first;
    }
    return Cipher.getInstance(transformation, provider);
  }

  /** This thread's digest for {@code algorithm}, reset. */
  public static MessageDigest digest(String algorithm) throws GeneralSecurityException {
    MessageDigest d = kept(ENGINES.get().digests, algorithm, MessageDigest::getInstance);
    d.reset();
    return d;
  }

  private interface EngineFactory<T> {
    T create(String name) throws GeneralSecurityException;
  }

  /** The engine kept under {@code name} in one of this thread's maps, made on first use. */
  private static <T> T kept(Map<String, T> engines, String name, EngineFactory<T> factory)
      throws GeneralSecurityException {
    T engine = engines.get(name);
    if (engine == null) {
      engine = factory.create(name);
      engines.put(name, engine);
    }
    return engine;
  }
}
