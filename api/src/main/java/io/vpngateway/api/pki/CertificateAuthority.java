package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The gateway's own certificate authority: a self-signed root that issues the server certificate,
 * client certificates and CRLs (RFC 5280 profile). Immutable and thread-safe; it never regenerates
 * itself: {@link #create} makes a new root, {@link #fromPem} loads an existing one and fails loudly
 * when the pair is unusable.
 *
 * <p>Profiles (RFC 5280 §4.2.1):
 *
 * <ul>
 *   <li>CA: basicConstraints critical CA:TRUE pathlen:0 (no intermediates), keyUsage critical
 *       keyCertSign+cRLSign, SKI, AKI.
 *   <li>Server: basicConstraints CA:FALSE, keyUsage digitalSignature (+keyEncipherment for RSA),
 *       EKU serverAuth (OpenVPN {@code remote-cert-tls server}, SSTP's TLS) and IKE intermediate
 *       1.3.6.1.5.5.8.2.2 (required by Windows IKEv2 clients, RFC 4945 §5.1.3.12), SANs.
 *   <li>Client: as server but EKU clientAuth; subject {@code OU=<group>..., CN=<name>}; a SAN
 *       repeats the CN when it is a DNS name or e-mail address so IKEv2 peers that send it as their
 *       IKE identity (RFC 7296 §3.5) can be matched against the certificate.
 * </ul>
 *
 * <p>notBefore is backdated a few minutes so a client whose clock is slightly behind accepts a
 * certificate issued just now; notAfter never exceeds the CA's own.
 */
public final class CertificateAuthority {

  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);
  static final Duration BACKDATE = Duration.ofMinutes(5);

  /** IKE intermediate, RFC 4945 §5.1.3.12 (id-kp-ipsecIKE's predecessor Windows checks for). */
  static final KeyPurposeId IKE_INTERMEDIATE =
      KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.5.8.2.2"));

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final SecureRandom random = new SecureRandom();

  private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /** A new root for the gateway, subject {@code CN=<gatewayName> VPN CA}, 10 years. */
  public static CertificateAuthority create(String gatewayName, KeySpec keySpec, Instant now) {
    return create(gatewayName, keySpec, now, DEFAULT_VALIDITY);
  }

  public static CertificateAuthority create(
      String gatewayName, KeySpec keySpec, Instant now, Duration validity) {
    ServerCertificateRequest.requirePositive(validity);
    String commonName = Names.requireRdnValue(gatewayName + " VPN CA", "CA common name");
    SecureRandom random = new SecureRandom();
    KeyPair keyPair = KeyPairs.generate(keySpec, random);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              Certificates.randomSerial(random),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              subject,
              keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(keyPair.getPublic()));
      X509Certificate certificate = sign(builder, keyPair.getPrivate(), keySpec);
      return new CertificateAuthority(certificate, keyPair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException("cannot create the CA for " + gatewayName + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads an existing CA. Fails when the certificate is not a CA allowed to sign certificates and
   * CRLs, or when the key does not belong to it: a caller must then stop, not make a new CA, since
   * every issued client certificate chains to the existing one.
   */
  public static CertificateAuthority fromPem(String certificatePem, String privateKeyPem) {
    return of(Pem.decodeCertificate(certificatePem), Pem.decodePrivateKey(privateKeyPem));
  }

  public static CertificateAuthority of(X509Certificate certificate, PrivateKey privateKey) {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    String subject = certificate.getSubjectX500Principal().getName();
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException("certificate " + subject + " is not a CA (basicConstraints CA:FALSE)");
    }
    boolean[] usage = certificate.getKeyUsage();
    if (usage != null && !(usage[5] && usage[6])) {
      throw new PkiException("CA " + subject + " lacks keyUsage keyCertSign and cRLSign");
    }
    KeySpec.of(certificate.getPublicKey()); // rejects unsupported algorithms with a clear message
    if (!KeyPairs.matches(privateKey, certificate.getPublicKey())) {
      throw new PkiException("the CA private key does not belong to CA certificate " + subject);
    }
    return new CertificateAuthority(certificate, privateKey);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  /** Unencrypted PKCS#8 PEM of the CA key; store it only in a Secret or a 0600 file. */
  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  public KeySpec keySpec() {
    return KeySpec.of(certificate.getPublicKey());
  }

  /** True when this CA signed {@code issued} (e.g. to check a renewed cert kept its CA). */
  public boolean signed(X509Certificate issued) {
    try {
      issued.verify(certificate.getPublicKey());
      return issued.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Issues the gateway's server certificate with a new key. */
  public IssuedCertificate issueServerCertificate(ServerCertificateRequest request, Instant now) {
    KeyPair keyPair = KeyPairs.generate(request.keySpec(), random);
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, request.commonName()).build();
    List<GeneralName> sans = new ArrayList<>();
    request.dnsNames().forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
    request.ipAddresses().forEach(a -> sans.add(new GeneralName(GeneralName.iPAddress, a)));
    KeyPurposeId[] purposes = {KeyPurposeId.id_kp_serverAuth, IKE_INTERMEDIATE};
    return issueLeaf(subject, keyPair, sans, purposes, request.validity(), now);
  }

  /**
   * Issues a client certificate. With {@link RotationPolicy#NEVER} and a previous key, that key is
   * certified again, provided it still matches the requested key spec; otherwise a new key is made.
   */
  public IssuedCertificate issueClientCertificate(ClientCertificateRequest request, Instant now) {
    KeyPair keyPair;
    if (request.rotationPolicy() == RotationPolicy.NEVER && request.previousKey() != null) {
      KeySpec existing = KeySpec.of(request.previousKey());
      if (!existing.equals(request.keySpec())) {
        throw new PkiException(
            "rotationPolicy is Never but the existing key is "
                + existing
                + " and the request asks for "
                + request.keySpec()
                + "; delete the key or set rotationPolicy Always");
      }
      keyPair = KeyPairs.fromPrivateKey(request.previousKey());
    } else {
      keyPair = KeyPairs.generate(request.keySpec(), random);
    }
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    request.groups().forEach(group -> subject.addRDN(BCStyle.OU, group));
    subject.addRDN(BCStyle.CN, request.commonName());
    List<GeneralName> sans = new ArrayList<>();
    String cn = request.commonName();
    if (Names.isEmail(cn)) {
      sans.add(new GeneralName(GeneralName.rfc822Name, cn));
    } else if (cn.contains(".") && Names.isDnsName(cn) && !cn.startsWith("*")) {
      sans.add(new GeneralName(GeneralName.dNSName, cn));
    }
    KeyPurposeId[] purposes = {KeyPurposeId.id_kp_clientAuth};
    return issueLeaf(subject.build(), keyPair, sans, purposes, request.validity(), now);
  }

  /**
   * A CRL (RFC 5280 §5) listing {@code revoked}, valid from {@code thisUpdate} to {@code
   * nextUpdate}, with the given CRL number (use {@link Crls#nextNumber} so it keeps increasing) and
   * an AKI.
   */
  public X509CRL issueCrl(
      Collection<RevokedCertificate> revoked,
      BigInteger crlNumber,
      Instant thisUpdate,
      Instant nextUpdate) {
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new PkiException("CRL nextUpdate must be after thisUpdate");
    }
    if (crlNumber.signum() < 0) {
      throw new PkiException("CRL numbers are non-negative, got " + crlNumber);
    }
    try {
      JcaX509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate, Date.from(thisUpdate));
      builder.setNextUpdate(Date.from(nextUpdate));
      for (RevokedCertificate entry : revoked) {
        // No reasonCode: RFC 5280 §5.3.1 says to omit it rather than write "unspecified".
        builder.addCRLEntry(entry.serialNumber(), Date.from(entry.revokedAt()), null);
      }
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
      return new JcaX509CRLConverter().getCRL(builder.build(signer(privateKey, keySpec())));
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new PkiException("cannot sign the CRL: " + e.getMessage(), e);
    }
  }

  private IssuedCertificate issueLeaf(
      X500Name subject,
      KeyPair keyPair,
      List<GeneralName> sans,
      KeyPurposeId[] purposes,
      Duration validity,
      Instant now) {
    Instant notAfter = now.plus(validity);
    Instant caNotAfter = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    if (!notAfter.isAfter(now)) {
      throw new PkiException(
          "the CA " + certificate.getSubjectX500Principal().getName() + " has expired");
    }
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      PublicKey publicKey = keyPair.getPublic();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              Certificates.randomSerial(random),
              Date.from(now.minus(BACKDATE)),
              Date.from(notAfter),
              subject,
              publicKey);
      builder.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature;
      if (KeySpec.of(publicKey).algorithm() == KeyAlgorithm.RSA) {
        // TLS 1.2 RSA key transport and some IKEv1-era Windows checks still look for it.
        usage |= KeyUsage.keyEncipherment;
      }
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
      if (!sans.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      X509Certificate issued = sign(builder, privateKey, keySpec());
      return new IssuedCertificate(issued, keyPair.getPrivate(), certificate);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException(
          "cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey key, KeySpec spec) throws CertificateException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer(key, spec)));
    } catch (OperatorCreationException e) {
      throw new CertificateException("no signer for " + spec, e);
    }
  }

  private static ContentSigner signer(PrivateKey key, KeySpec spec)
      throws OperatorCreationException {
    // The JDK providers sign; Bouncy Castle only builds the ASN.1.
    return new JcaContentSignerBuilder(spec.signatureAlgorithm()).build(key);
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
