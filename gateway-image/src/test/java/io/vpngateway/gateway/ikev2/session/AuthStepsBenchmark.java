package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.ikev2.message.IdPayload;
import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-handshake steps of the IKEv2 responder's IKE_AUTH outside the public-key operations, each
 * as it was ({@code *Before}) and as it is now, in the same JVM (see gateway-image/BENCHMARKS.md,
 * "Non-crypto work per handshake").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthStepsBenchmark {
  private static final java.security.Provider BC =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  IdPayload idi;
  byte[] der;
  PublicKey key;
  byte[] octets = new byte[400];
  byte[] signature;
  Signature bcVerifier;
  KeyFactory bcKeys;
  io.vpngateway.gateway.ikev2.message.AuthPayload auth;

  /** The DER signature as r || s (RFC 4754), what AUTH method 9 carries. */
  private byte[] rawSignature() {
    org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(signature);
    byte[] out = new byte[64];
    for (int i = 0; i < 2; i++) {
      byte[] v = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32,
          org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(i)).getValue());
      System.arraycopy(v, 0, out, 32 * i, 32);
    }
    return out;
  }

  @Setup
  public void setUp() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("bench", KeySpec.EC_P256, Instant.now());
    IssuedCertificate alice =
        ca.issueClientCertificate(ClientCertificateRequest.of("alice", java.util.List.of("engineering"),
            java.time.Duration.ofDays(30), KeySpec.EC_P256),
            Instant.now());
    X509Certificate cert = alice.certificate();
    der = cert.getEncoded();
    idi = new IdPayload(true, IdPayload.ID_DER_ASN1_DN,
        cert.getSubjectX500Principal().getEncoded());
    key = ((X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der))).getPublicKey();
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(alice.privateKey());
    signer.update(octets);
    signature = signer.sign();
    bcVerifier = Signature.getInstance("SHA256withECDSA", BC);
    bcKeys = KeyFactory.getInstance("EC", BC);
    auth = new io.vpngateway.gateway.ikev2.message.AuthPayload(
        io.vpngateway.gateway.ikev2.message.AuthPayload.ECDSA_SHA256_P256, rawSignature());
    verifyAuth(); // throws unless the production path verifies it
  }

  @Benchmark
  public String describeBefore() {
    return new X500Principal(idi.data()).getName();
  }

  @Benchmark
  public String describe() {
    return IkeAuthResponder.describe(idi);
  }

  @Benchmark
  public Object parseCertificateBefore() throws Exception {
    return CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(der));
  }

  @Benchmark
  public Object parseCertificate() throws Exception {
    return io.vpngateway.gateway.ikev2.crypto.JcaInstances.certificateFactory()
        .generateCertificate(new ByteArrayInputStream(der));
  }

  @Benchmark
  public Object verifyAuth() throws Exception {
    io.vpngateway.gateway.ikev2.crypto.SignatureAuthentication.verify(auth, key, octets);
    return auth;
  }

  @Benchmark
  public boolean verifyAuthBefore() throws Exception {
    Signature plain = io.vpngateway.gateway.ikev2.crypto.JcaInstances.signature(
        "SHA256withPLAIN-ECDSA", BC);
    plain.initVerify(key);
    plain.update(octets);
    return plain.verify(auth.data());
  }

  @Benchmark
  public boolean verifyJdkKeyBefore() throws Exception {
    bcVerifier.initVerify(key);
    bcVerifier.update(octets);
    return bcVerifier.verify(signature);
  }

  @Benchmark
  public boolean verifyBcKey() throws Exception {
    bcVerifier.initVerify(bcKeys.generatePublic(new X509EncodedKeySpec(key.getEncoded())));
    bcVerifier.update(octets);
    return bcVerifier.verify(signature);
  }

  @Benchmark
  public Object initVerifyJdkKeyBefore() throws Exception {
    bcVerifier.initVerify(key);
    return bcVerifier;
  }

  @Benchmark
  public Object initVerifyBcKey() throws Exception {
    bcVerifier.initVerify(bcKeys.generatePublic(new X509EncodedKeySpec(key.getEncoded())));
    return bcVerifier;
  }

  final java.util.Map<java.nio.ByteBuffer, PublicKey> bcKeyCache =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Benchmark
  public Object initVerifyRememberedBcKey() throws Exception {
    java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(key.getEncoded());
    PublicKey bc = bcKeyCache.get(k);
    if (bc == null) {
      bc = bcKeys.generatePublic(new X509EncodedKeySpec(key.getEncoded()));
      bcKeyCache.put(k, bc);
    }
    bcVerifier.initVerify(bc);
    return bcVerifier;
  }
}
