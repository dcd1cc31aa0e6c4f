package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.ikev2.exception.AuthenticationFailedException;
import io.vpngateway.gateway.ikev2.message.AuthPayload;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** AUTH payloads by signature: RFC 7427 with announced hashes, RFC 7296/4754 without. */
class SignatureAuthenticationTest {
  private static final byte[] OCTETS = "RealMessage | Nonce | prf(SK_p, ID')".getBytes();
  private static final Set<Integer> SHA2 = Set.of(2, 3, 4);

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  @Test
  void digitalSignatureWhenThePeerAnnouncedHashes() throws Exception {
    for (KeyPair k : new KeyPair[] {ec("secp256r1"), ec("secp384r1"), rsa()}) {
      AuthPayload auth = SignatureAuthentication.sign(k.getPrivate(), OCTETS, SHA2);
      assertEquals(AuthPayload.DIGITAL_SIGNATURE, auth.method());
      SignatureAuthentication.verify(auth, k.getPublic(), OCTETS);
      byte[] other = OCTETS.clone();
      other[0] ^= 1;
      assertThrows(AuthenticationFailedException.class,
          () -> SignatureAuthentication.verify(auth, k.getPublic(), other));
    }
  }

  @Test
  void classicMethodsForPeersWithoutSignatureHashAlgorithms() throws Exception {
    KeyPair p256 = ec("secp256r1");
    AuthPayload ecdsa = SignatureAuthentication.sign(p256.getPrivate(), OCTETS, Set.of());
    assertEquals(AuthPayload.ECDSA_SHA256_P256, ecdsa.method());
    assertEquals(64, ecdsa.data().length, "r | s of P-256 (RFC 4754)");
    SignatureAuthentication.verify(ecdsa, p256.getPublic(), OCTETS);

    KeyPair p384 = ec("secp384r1");
    AuthPayload ecdsa384 = SignatureAuthentication.sign(p384.getPrivate(), OCTETS, Set.of());
    assertEquals(AuthPayload.ECDSA_SHA384_P384, ecdsa384.method());
    SignatureAuthentication.verify(ecdsa384, p384.getPublic(), OCTETS);

    KeyPair r = rsa();
    AuthPayload rsaAuth = SignatureAuthentication.sign(r.getPrivate(), OCTETS, Set.of());
    assertEquals(AuthPayload.RSA_SIGNATURE, rsaAuth.method());
    SignatureAuthentication.verify(rsaAuth, r.getPublic(), OCTETS);
  }

  @Test
  void aRememberedKeyStillVerifiesEverySignatureAndOnlyItsOwn() throws Exception {
    KeyPair a = ec("secp256r1");
    KeyPair b = ec("secp256r1");
    byte[] other = OCTETS.clone();
    other[1] ^= 1;
    for (int connect = 0; connect < 3; connect++) { // the first converts the key, later ones reuse it
      for (Set<Integer> hashes : java.util.List.of(SHA2, Set.<Integer>of())) {
        AuthPayload byA = SignatureAuthentication.sign(a.getPrivate(), OCTETS, hashes);
        SignatureAuthentication.verify(byA, a.getPublic(), OCTETS);
        assertThrows(AuthenticationFailedException.class,
            () -> SignatureAuthentication.verify(byA, a.getPublic(), other));
        assertThrows(AuthenticationFailedException.class,
            () -> SignatureAuthentication.verify(byA, b.getPublic(), OCTETS));
      }
    }
  }

  @Test
  void aSignatureOfAnotherKeyOrMethodIsRefused() throws Exception {
    KeyPair a = ec("secp256r1");
    KeyPair b = ec("secp256r1");
    AuthPayload auth = SignatureAuthentication.sign(a.getPrivate(), OCTETS, SHA2);
    assertThrows(AuthenticationFailedException.class,
        () -> SignatureAuthentication.verify(auth, b.getPublic(), OCTETS));
    // ECDSA-384 method with a P-256 key
    AuthPayload wrongCurve = new AuthPayload(AuthPayload.ECDSA_SHA384_P384, new byte[96]);
    assertThrows(AuthenticationFailedException.class,
        () -> SignatureAuthentication.verify(wrongCurve, a.getPublic(), OCTETS));
    // shared key MIC is not offered
    assertThrows(AuthenticationFailedException.class,
        () -> SignatureAuthentication.verify(
            new AuthPayload(AuthPayload.SHARED_KEY_MIC, new byte[32]), a.getPublic(), OCTETS));
    // garbage AlgorithmIdentifier
    assertThrows(AuthenticationFailedException.class,
        () -> SignatureAuthentication.verify(
            new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, new byte[] {5, 1, 2, 3, 4, 5, 6}),
            a.getPublic(), OCTETS));
    // RSA signature with an EC key
    KeyPair r = rsa();
    AuthPayload rsaAuth = SignatureAuthentication.sign(r.getPrivate(), OCTETS, SHA2);
    assertThrows(AuthenticationFailedException.class,
        () -> SignatureAuthentication.verify(rsaAuth, a.getPublic(), OCTETS));
  }

  /**
   * The control thread keeps its signature engines ({@link JcaInstances}); a peer's key that no
   * provider takes must not leave the engine of that algorithm broken for the next peer or for our
   * own signature. Runs on a new thread, whose engines are all unused.
   */
  @Test
  void aKeyNoProviderTakesDoesNotBreakTheAlgorithmForLaterHandshakes() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(512);
    KeyPair tooShort = g.generateKeyPair();
    KeyPair good = rsa();
    Set<Integer> sha512 = Set.of(SignatureAuthentication.HASH_SHA2_512);
    AuthPayload genuine = SignatureAuthentication.sign(good.getPrivate(), OCTETS, sha512);
    // the same SHA512withRSA AlgorithmIdentifier with a signature of the 512-bit key's size
    byte[] data = genuine.data();
    int aiLength = data[0] & 0xff;
    byte[] forged = java.util.Arrays.copyOf(data, 1 + aiLength + 64);
    AuthPayload hostile = new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, forged);

    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread control = new Thread(() -> {
      try {
        assertThrows(AuthenticationFailedException.class,
            () -> SignatureAuthentication.verify(hostile, tooShort.getPublic(), OCTETS));
        SignatureAuthentication.verify(genuine, good.getPublic(), OCTETS);
        AuthPayload ours = SignatureAuthentication.sign(good.getPrivate(), OCTETS, sha512);
        SignatureAuthentication.verify(ours, good.getPublic(), OCTETS);
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    control.start();
    control.join();
    if (failure.get() != null) {
      throw new AssertionError("after a refused 512-bit key", failure.get());
    }
  }
}
