package io.vpngateway.api.pki;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM (RFC 7468) encoding and decoding of certificates, private keys and CRLs.
 *
 * <p>Private keys are written as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, RFC 5958): the one
 * form OpenVPN/OpenSSL 3, strongSwan's {@code pkcs8} plugin and the JDK all read. (Bouncy Castle's
 * {@code JcaPEMWriter} would write the traditional {@code BEGIN EC PRIVATE KEY} form instead.)
 * Reading also accepts the traditional OpenSSL forms, so keys made with {@code openssl genrsa} or
 * {@code ecparam -genkey} (bring-your-own CA) load too. Encoded text uses {@code \n} line ends and
 * 64-column lines regardless of the platform.
 */
public final class Pem {
  private Pem() {}

  public static String encode(X509Certificate certificate) {
    try {
      return encode("CERTIFICATE", certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new PkiException(
          "cannot encode certificate " + certificate.getSubjectX500Principal(), e);
    }
  }

  /** Concatenated PEM blocks, e.g. a CA bundle or a leaf followed by its chain. */
  public static String encode(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    certificates.forEach(c -> out.append(encode(c)));
    return out.toString();
  }

  /** Unencrypted PKCS#8 {@code BEGIN PRIVATE KEY}. */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
      throw new PkiException("private key " + key.getAlgorithm() + " has no PKCS#8 encoding");
    }
    return encode("PRIVATE KEY", key.getEncoded());
  }

  public static String encode(X509CRL crl) {
    try {
      return encode("X509 CRL", crl.getEncoded());
    } catch (CRLException e) {
      throw new PkiException("cannot encode CRL of " + crl.getIssuerX500Principal(), e);
    }
  }

  static String encode(String label, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** All certificates in the text, in order; fails if there is none or another object is found. */
  public static List<X509Certificate> decodeCertificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object object : parseAll(pem, "certificate")) {
      if (!(object instanceof X509CertificateHolder holder)) {
        throw new PkiException("expected only certificates in PEM, found " + describe(object));
      }
      try {
        certificates.add(converter.getCertificate(holder));
      } catch (CertificateException e) {
        throw new PkiException(
            "invalid certificate " + holder.getSubject() + ": " + e.getMessage(), e);
      }
    }
    if (certificates.isEmpty()) {
      throw new PkiException("no certificate found in PEM text");
    }
    return List.copyOf(certificates);
  }

  /** Exactly one certificate. */
  public static X509Certificate decodeCertificate(String pem) {
    List<X509Certificate> certificates = decodeCertificates(pem);
    if (certificates.size() != 1) {
      throw new PkiException("expected one certificate in PEM, found " + certificates.size());
    }
    return certificates.get(0);
  }

  /** One unencrypted private key, PKCS#8 or traditional OpenSSL (RSA/EC) form. */
  public static PrivateKey decodePrivateKey(String pem) {
    List<Object> objects = parseAll(pem, "private key");
    if (objects.size() != 1) {
      throw new PkiException(
          "expected one private key in PEM, found " + objects.size() + " objects");
    }
    Object object = objects.get(0);
    if (object instanceof PEMKeyPair pair) {
      return toJdkKey(pair.getPrivateKeyInfo());
    }
    if (object instanceof PrivateKeyInfo info) {
      return toJdkKey(info);
    }
    if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
      throw new PkiException("the private key is encrypted; provide it unencrypted (PKCS#8)");
    }
    throw new PkiException("expected a private key in PEM, found " + describe(object));
  }

  /**
   * Converts with the JDK's own key factories, never a provider picked by name lookup: Bouncy
   * Castle's converter asks for "ECDSA", which resolves to BC keys once BC is registered, and those
   * do not mix with JDK keys.
   */
  private static PrivateKey toJdkKey(PrivateKeyInfo info) {
    var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm;
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      algorithm = "EC";
    } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      algorithm = "RSA";
    } else {
      throw new PkiException("unsupported private key algorithm " + oid + " (expected EC or RSA)");
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (IOException | GeneralSecurityException e) {
      throw new PkiException("unreadable " + algorithm + " private key: " + e.getMessage(), e);
    }
  }

  public static X509CRL decodeCrl(String pem) {
    List<Object> objects = parseAll(pem, "CRL");
    if (objects.size() != 1 || !(objects.get(0) instanceof X509CRLHolder holder)) {
      throw new PkiException("expected one X509 CRL in PEM");
    }
    try {
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (CRLException e) {
      throw new PkiException("invalid CRL: " + e.getMessage(), e);
    }
  }

  private static List<Object> parseAll(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new PkiException("empty PEM text where a " + what + " was expected");
    }
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      throw new PkiException(
          "malformed PEM where a " + what + " was expected: " + e.getMessage(), e);
    }
    if (objects.isEmpty()) {
      throw new PkiException("no PEM block found where a " + what + " was expected");
    }
    return objects;
  }

  private static String describe(Object object) {
    return object.getClass().getSimpleName();
  }
}
