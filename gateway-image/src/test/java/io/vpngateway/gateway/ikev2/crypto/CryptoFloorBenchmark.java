package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.AuthPayload;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;

/**
 * The floor under the IKEv2 responder's CPU per handshake: what the public-key operations of one
 * ECDSA P-256 / ECP-256 handshake cost once compiled, on one thread, each as the responder runs it
 * (our {@link DhGroup} and {@link SignatureAuthentication}) and as the JDK alone would, plus the
 * JCA look-ups the handshake used to make. Thread CPU time per operation, after a warm-up long
 * enough for C2. Not a test (surefire runs {@code *Test} only); see gateway-image/BENCHMARKS.md.
 *
 * <pre>java -cp "$CP" io.vpngateway.gateway.ikev2.crypto.CryptoFloorBenchmark [ITERATIONS] [ROUNDS]
 * </pre>
 */
public final class CryptoFloorBenchmark {
  private CryptoFloorBenchmark() {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @FunctionalInterface
  interface Op {
    Object run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair server = kpg.generateKeyPair();
    KeyPair client = kpg.generateKeyPair();
    byte[] octets = new byte[600]; // IKE_SA_INIT request | nonce | prf(...)
    new java.util.Random(1).nextBytes(octets);
    Set<Integer> sha256 = Set.of(SignatureAuthentication.HASH_SHA2_256);
    AuthPayload clientAuth = SignatureAuthentication.sign(client.getPrivate(), octets, sha256);
    byte[] peerKe = DhGroup.ECP_256.newKeyExchange().publicValue();
    Signature jdkSigner = Signature.getInstance("SHA256withECDSA");
    jdkSigner.initSign(client.getPrivate());
    jdkSigner.update(octets);
    byte[] derSignature = jdkSigner.sign();

    Op[] ops = {
      () -> DhGroup.ECP_256.newKeyExchange().sharedSecret(peerKe),
      () -> {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(kpg.generateKeyPair().getPrivate());
        ka.doPhase(client.getPublic(), true);
        return ka.generateSecret();
      },
      () -> SignatureAuthentication.sign(server.getPrivate(), octets, sha256),
      () -> {
        SignatureAuthentication.verify(clientAuth, client.getPublic(), octets);
        return null;
      },
      () -> {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initVerify(client.getPublic());
        s.update(octets);
        return s.verify(derSignature);
      },
      () -> Cipher.getInstance("AES/GCM/NoPadding"),
      () -> Mac.getInstance("HmacSHA256"),
      () -> Signature.getInstance("SHA256withECDSA"),
    };
    String[] names = {
      "ECP-256 key pair + shared secret (DhGroup, Bouncy Castle)",
      "ECDH P-256 key pair + KeyAgreement (JDK)",
      "own AUTH: SHA256withECDSA sign (SignatureAuthentication, JDK)",
      "peer AUTH: SHA256withECDSA verify (SignatureAuthentication, Bouncy Castle)",
      "SHA256withECDSA verify (JDK)",
      "Cipher.getInstance(AES/GCM/NoPadding)",
      "Mac.getInstance(HmacSHA256)",
      "Signature.getInstance(SHA256withECDSA)",
    };
    for (int round = 0; round < rounds; round++) {
      System.out.printf("round %d (%d each)%n", round, iterations);
      for (int k = 0; k < ops.length; k++) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < iterations; i++) {
          if (ops[k].run() == Boolean.FALSE) {
            throw new IllegalStateException("verify failed");
          }
        }
        long ns = THREADS.getCurrentThreadCpuTime() - t0;
        System.out.printf("  %-76s %8.1f us%n", names[k], ns / 1e3 / iterations);
      }
    }
  }
}
