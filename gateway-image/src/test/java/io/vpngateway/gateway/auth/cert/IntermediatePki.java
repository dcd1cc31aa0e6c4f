package io.vpngateway.gateway.auth.cert;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An enterprise-style PKI for tests, made with Bouncy Castle: root → issuing intermediate → client
 * certificates, and the intermediate's CRL (the gateway CA helper only makes roots).
 */
final class IntermediatePki {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  final KeyPair rootKey = ec();
  final KeyPair intermediateKey = ec();
  final X509Certificate root;
  final X509Certificate intermediate;
  private final Instant now;

  IntermediatePki(Instant now) throws Exception {
    this.now = now;
    X500Name rootName = new X500Name("CN=Corp Root CA,O=Corp");
    root = sign(ca(rootName, rootName, rootKey, 1), rootKey.getPrivate());
    X500Name intName = new X500Name("CN=Corp Issuing CA,O=Corp");
    intermediate = sign(ca(rootName, intName, intermediateKey, 0), rootKey.getPrivate());
  }

  X509Certificate client(String dn) throws Exception {
    KeyPair key = ec();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded()),
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(30))),
            new X500Name(dn),
            key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    return sign(b, intermediateKey.getPrivate());
  }

  X509CRL intermediateCrl(X509Certificate... revoked) throws Exception {
    JcaX509v2CRLBuilder b = new JcaX509v2CRLBuilder(intermediate, Date.from(now));
    b.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
    for (X509Certificate c : revoked) {
      b.addCRLEntry(c.getSerialNumber(), Date.from(now), 0);
    }
    return new JcaX509CRLConverter()
        .getCRL(
            b.build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(intermediateKey.getPrivate())));
  }

  private X509v3CertificateBuilder ca(X500Name issuer, X500Name subject, KeyPair key, int pathLen)
      throws Exception {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            serial(),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(365))),
            subject,
            key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return b;
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
