package io.vpngateway.api.pki;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCS12PBEParams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.PBEParametersGenerator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS12ParametersGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.MacCalculator;
import org.bouncycastle.pkcs.PKCS12MacCalculatorBuilder;

/**
 * The PKCS#12 integrity MAC (RFC 7292 §4 MacData, key from the Appendix B.2 KDF with ID 3):
 * HMAC-SHA-256 keyed from the password, salt and iteration count. Bouncy Castle's builders fix the
 * salt at the digest length (32 bytes); this one uses OpenSSL's 8, which the macOS keychain needs.
 */
final class Pkcs12MacBuilder implements PKCS12MacCalculatorBuilder {
  private static final AlgorithmIdentifier SHA256 =
      new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);

  private final SecureRandom random;
  private final int saltLength;
  private final int iterations;

  Pkcs12MacBuilder(SecureRandom random, int saltLength, int iterations) {
    this.random = random;
    this.saltLength = saltLength;
    this.iterations = iterations;
  }

  @Override
  public AlgorithmIdentifier getDigestAlgorithmIdentifier() {
    return SHA256;
  }

  @Override
  public MacCalculator build(char[] password) {
    byte[] salt = new byte[saltLength];
    random.nextBytes(salt);
    PKCS12ParametersGenerator kdf = new PKCS12ParametersGenerator(SHA256Digest.newInstance());
    kdf.init(PBEParametersGenerator.PKCS12PasswordToBytes(password), salt, iterations);
    KeyParameter key = (KeyParameter) kdf.generateDerivedMacParameters(256);
    HMac hmac = new HMac(SHA256Digest.newInstance());
    hmac.init(key);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    // PKCS12PfxPduBuilder reads salt and iterations back from these parameters into MacData.
    AlgorithmIdentifier parameters =
        new AlgorithmIdentifier(
            NISTObjectIdentifiers.id_sha256, new PKCS12PBEParams(salt, iterations));
    return new MacCalculator() {
      @Override
      public AlgorithmIdentifier getAlgorithmIdentifier() {
        return parameters;
      }

      @Override
      public OutputStream getOutputStream() {
        return data;
      }

      @Override
      public byte[] getMac() {
        byte[] input = data.toByteArray();
        hmac.update(input, 0, input.length);
        byte[] mac = new byte[hmac.getMacSize()];
        hmac.doFinal(mac, 0);
        return mac;
      }

      @Override
      public GenericKey getKey() {
        return new GenericKey(parameters, key.getKey());
      }
    };
  }
}
