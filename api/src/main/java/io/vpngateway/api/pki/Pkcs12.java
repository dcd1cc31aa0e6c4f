package io.vpngateway.api.pki;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.crypto.util.PBKDF2Config;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * Builds PKCS#12 (RFC 7292) bundles the way OpenSSL 3 does by default: key and certificates
 * encrypted with PBES2 (RFC 8018) using PBKDF2-HMAC-SHA256 and AES-256-CBC, 8-byte salts, 2048
 * iterations, and a SHA-256 PKCS#12 MAC. That exact shape imports on Windows 10+, macOS keychain
 * and iOS, OpenSSL 3 and the JDK; the macOS keychain has been seen to reject otherwise identical
 * files with 16-byte salts, hence the OpenSSL salt length rather than Bouncy Castle's default.
 */
public final class Pkcs12 {
  private Pkcs12() {}

  static final int ITERATIONS = 2048;
  static final int SALT_LENGTH = 8;
  private static final int PASSWORD_LENGTH = 24;

  /** Letters and digits without look-alikes (0/O, 1/l/I): typed by hand on phones sometimes. */
  private static final char[] PASSWORD_ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A random 24-character password (about 139 bits). */
  public static String generatePassword() {
    char[] password = new char[PASSWORD_LENGTH];
    for (int i = 0; i < password.length; i++) {
      password[i] = PASSWORD_ALPHABET[RANDOM.nextInt(PASSWORD_ALPHABET.length)];
    }
    return new String(password);
  }

  /** A bundle under a freshly generated password. */
  public static Pkcs12Bundle bundle(
      String friendlyName,
      PrivateKey key,
      X509Certificate certificate,
      List<X509Certificate> chain) {
    String password = generatePassword();
    return new Pkcs12Bundle(
        encode(friendlyName, key, certificate, chain, password.toCharArray()), password);
  }

  /**
   * The PFX bytes: one encrypted certificate safe (leaf then chain) and one shrouded key bag, the
   * key and leaf tied by a {@code localKeyId} (the leaf's key identifier) as Windows and OpenSSL
   * expect to pair them, both named {@code friendlyName}.
   */
  public static byte[] encode(
      String friendlyName,
      PrivateKey key,
      X509Certificate certificate,
      List<X509Certificate> chain,
      char[] password) {
    if (!KeyPairs.matches(key, certificate.getPublicKey())) {
      throw new PkiException(
          "the private key does not belong to " + certificate.getSubjectX500Principal());
    }
    try {
      var localKeyId =
          new DEROctetString(
              new JcaX509ExtensionUtils()
                  .createSubjectKeyIdentifier(certificate.getPublicKey())
                  .getKeyIdentifier());
      var name = new DERBMPString(friendlyName);

      List<PKCS12SafeBag> certificateBags = new ArrayList<>();
      JcaPKCS12SafeBagBuilder leafBag = new JcaPKCS12SafeBagBuilder(certificate);
      leafBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, name);
      leafBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);
      certificateBags.add(leafBag.build());
      for (X509Certificate ca : chain) {
        certificateBags.add(new JcaPKCS12SafeBagBuilder(ca).build());
      }

      JcaPKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(key, encryptor(password));
      keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, name);
      keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);

      PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
      pfx.addEncryptedData(encryptor(password), certificateBags.toArray(PKCS12SafeBag[]::new));
      pfx.addData(keyBag.build());
      return pfx.build(new Pkcs12MacBuilder(RANDOM, SALT_LENGTH, ITERATIONS), password)
          .getEncoded();
    } catch (IOException
        | OperatorCreationException
        | PKCSException
        | java.security.GeneralSecurityException e) {
      throw new PkiException("cannot build the PKCS#12 bundle: " + e.getMessage(), e);
    }
  }

  private static OutputEncryptor encryptor(char[] password) throws OperatorCreationException {
    PBKDF2Config kdf =
        new PBKDF2Config.Builder()
            .withPRF(PBKDF2Config.PRF_SHA256)
            .withIterationCount(ITERATIONS)
            .withSaltLength(SALT_LENGTH)
            .build();
    return new JcePKCSPBEOutputEncryptorBuilder(kdf, NISTObjectIdentifiers.id_aes256_CBC)
        .setProvider(BouncyCastle.provider())
        .setRandom(RANDOM)
        .build(password);
  }
}
