package io.vpngateway.api.pki;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle JCA provider, used explicitly by instance where the JDK lacks an algorithm
 * (PKCS#12 PBES2 output with a chosen salt length, PKCS#12 SHA-256 MACs).
 *
 * <p>It is registered once at the lowest priority ({@link Security#addProvider} appends), so
 * lookups by the name "BC" work for other components while JSSE, {@code KeyStore} and every
 * algorithm lookup without an explicit provider keep resolving to the JDK providers.
 */
final class BouncyCastle {
  private BouncyCastle() {}

  private static final class Holder {
    static final Provider PROVIDER = registerOnce();

    private static Provider registerOnce() {
      // Security.addProvider is synchronized and a no-op when a provider named "BC" exists
      // (another library may have registered its own copy first: reuse that one).
      Security.addProvider(new BouncyCastleProvider());
      return Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
    }
  }

  static Provider provider() {
    return Holder.PROVIDER;
  }
}
