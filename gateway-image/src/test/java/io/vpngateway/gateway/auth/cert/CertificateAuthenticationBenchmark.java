package io.vpngateway.gateway.auth.cert;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.api.pki.RotationPolicy;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one client-certificate decision per handshake (thumbprints, validity, EKU, PKIX path
 * validation, CRL lookup, identity) with a CRL of {@code revoked} entries, including decoding the
 * certificate as a handshake does. See BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CertificateAuthenticationBenchmark {
  @Param({"EC_P256", "RSA_2048"})
  public String key;

  @Param({"0", "10000"})
  public int revoked;

  private PkixCertificateAuthenticator authenticator;
  private static final int DISTINCT_CERTIFICATES = 2000;

  private byte[][] leavesDer;
  private int next;
  private CertificateFactory x509;

  @Setup
  public void setUp() throws Exception {
    Instant now = Instant.now();
    KeySpec spec = "EC_P256".equals(key) ? KeySpec.EC_P256 : KeySpec.RSA_2048;
    CertificateAuthority ca = CertificateAuthority.create("bench", spec, now);
    // more distinct certificates than the JDK's decoded-certificate cache (750) holds, so each
    // decision pays the signature check as a first connection does; one key pair keeps setup short
    ClientCertificateRequest request =
        ClientCertificateRequest.of("user", List.of("eng"), Duration.ofDays(30), spec);
    IssuedCertificate first = ca.issueClientCertificate(request, now);
    ClientCertificateRequest sameKey =
        request.withPreviousKey(RotationPolicy.NEVER, first.privateKey());
    leavesDer = new byte[DISTINCT_CERTIFICATES][];
    for (int i = 0; i < leavesDer.length; i++) {
      leavesDer[i] = ca.issueClientCertificate(sameKey, now).certificate().getEncoded();
    }
    List<RevokedCertificate> entries = new ArrayList<>();
    for (int i = 1; i <= revoked; i++) {
      entries.add(new RevokedCertificate(BigInteger.valueOf(i), now));
    }
    TrustSnapshot trust = TrustSnapshot.of(
        List.of(ca.certificate()),
        List.of(ca.issueCrl(entries, BigInteger.ONE, now, now.plus(Duration.ofDays(1)))),
        List.of());
    authenticator = new PkixCertificateAuthenticator(trust, Clock.systemUTC());
    x509 = CertificateFactory.getInstance("X.509");
  }

  @Benchmark
  public ClientIdentity authenticate() throws Exception {
    // a handshake brings a freshly decoded certificate: the JDK's per-object verification cache
    // must not make the signature check free
    byte[] der = leavesDer[next];
    next = (next + 1) % leavesDer.length;
    X509Certificate leaf = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der));
    return authenticator.authenticate(new X509Certificate[] {leaf});
  }
}
