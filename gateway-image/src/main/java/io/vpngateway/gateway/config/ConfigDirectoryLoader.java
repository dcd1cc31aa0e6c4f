package io.vpngateway.gateway.config;

import io.vpngateway.api.config.ConfigError;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayTokens;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a config directory (the mounted config Secret, or a standalone state directory) into a
 * {@link RuntimeConfig}: {@code config.yaml} plus every file it names. Everything is checked before
 * anything is returned: unreadable or malformed PEM, a key that does not belong to its certificate,
 * an expired server certificate, a CRL not signed by the CA, a missing secret. Each problem is
 * reported as a {@link ConfigError} whose field is the file name, so one log line tells the
 * operator which file to fix. Secret values never appear in an error.
 *
 * <p>Files are read through their path, so Kubernetes Secret volumes (each file a symlink into the
 * {@code ..data} directory that the kubelet swaps atomically) read consistently as long as the
 * whole directory is read after one swap; {@link ConfigSource} re-reads when the fingerprint moved.
 */
public final class ConfigDirectoryLoader {
  /** The config document's file name in the directory. */
  public static final String CONFIG_FILE = "config.yaml";

  /** Shortest auth-token HMAC key accepted, in bytes (HMAC-SHA256 block of security). */
  static final int MIN_AUTH_TOKEN_KEY = GatewayTokens.MIN_AUTH_TOKEN_KEY_BYTES;

  /** Shortest management token accepted: 128 bits of base64. */
  static final int MIN_TOKEN_LENGTH = GatewayTokens.MIN_MANAGEMENT_TOKEN_LENGTH;

  private final Clock clock;

  public ConfigDirectoryLoader(Clock clock) {
    this.clock = clock;
  }

  public ConfigDirectoryLoader() {
    this(Clock.systemUTC());
  }

  /** Loads and validates {@code directory}; throws with every problem found. */
  public RuntimeConfig load(Path directory) throws InvalidConfigException {
    Reader reader = new Reader(directory);
    byte[] documentBytes = reader.read(CONFIG_FILE);
    if (documentBytes == null) {
      throw new InvalidConfigException(reader.errors);
    }
    GatewayConfig document;
    try {
      document = GatewayConfigCodec.read(new String(documentBytes, StandardCharsets.UTF_8));
    } catch (InvalidConfigException e) {
      List<ConfigError> named = new ArrayList<>();
      for (ConfigError error : e.errors()) {
        named.add(new ConfigError(CONFIG_FILE + ": " + error.field(), error.message()));
      }
      throw new InvalidConfigException(named);
    }
    GatewayConfig.Files files = document.files();
    X509Certificate ca = reader.certificate(files.caCertificate());
    List<X509Certificate> chain = reader.certificates(files.serverCertificate());
    PrivateKey serverKey = reader.privateKey(files.serverKey());
    if (chain != null) {
      checkServerCertificate(files.serverCertificate(), chain.get(0), reader.errors);
      if (serverKey != null) {
        checkKeyMatches(files.serverKey(), serverKey, chain.get(0), reader.errors);
      }
    }
    Optional<X509CRL> crl = reader.optionalCrl(files.crl(), ca);
    List<X509Certificate> roots = new ArrayList<>();
    GatewayConfig.Certificate certAuth = document.authentication().certificate();
    if (certAuth != null) {
      for (String rootFile : certAuth.trustedRoots()) {
        X509Certificate root = reader.certificate(rootFile);
        if (root != null) {
          checkTrustedRoot(rootFile, root, reader.errors);
          roots.add(root);
        }
      }
    }
    boolean openVpn = document.enables(VpnProtocol.OpenVPN);
    Optional<TlsCryptV2ServerKey> tlsCryptV2 =
        openVpn
            ? Optional.ofNullable(reader.tlsCryptV2Key(files.tlsCryptV2ServerKey()))
            : Optional.empty();
    Optional<SecretBytes> authToken =
        openVpn
            ? Optional.ofNullable(reader.base64Secret(files.authTokenKey(), MIN_AUTH_TOKEN_KEY))
            : Optional.empty();
    SecretBytes token = reader.secret(files.managementToken());
    if (token != null && token.length() < MIN_TOKEN_LENGTH) {
      reader.errors.add(
          new ConfigError(
              files.managementToken(),
              "the management token is shorter than " + MIN_TOKEN_LENGTH + " characters"));
    }
    Map<String, SecretBytes> radius = new LinkedHashMap<>();
    if (document.authentication().radius() != null) {
      for (GatewayConfig.RadiusServer server : document.authentication().radius().servers()) {
        SecretBytes secret = reader.secret(server.secretFile());
        if (secret != null) {
          radius.put(server.secretFile(), secret);
        }
      }
    }
    OidcFiles oidc = oidcFiles(document.authentication().oidc(), reader);
    Optional<RuntimeConfig.ManagementTlsFiles> managementTls = managementTls(files, ca, reader);
    if (!reader.errors.isEmpty()) {
      throw new InvalidConfigException(reader.errors);
    }
    return new RuntimeConfig(
        document,
        directory,
        ca,
        chain,
        serverKey,
        crl,
        roots,
        tlsCryptV2,
        authToken,
        token,
        radius,
        oidc,
        reader.fingerprint(),
        managementTls);
  }

  /**
   * The management API's certificate and key when the document names them: the key must match,
   * the certificate must be current and issued by the gateway's CA (the CA callers trust).
   */
  private Optional<RuntimeConfig.ManagementTlsFiles> managementTls(
      GatewayConfig.Files files, X509Certificate ca, Reader reader) {
    if (files.managementCertificate() == null) {
      return Optional.empty();
    }
    List<X509Certificate> chain = reader.certificates(files.managementCertificate());
    PrivateKey key = reader.privateKey(files.managementKey());
    if (chain == null || key == null) {
      return Optional.empty();
    }
    int errorsBefore = reader.errors.size();
    checkServerCertificate(files.managementCertificate(), chain.get(0), reader.errors);
    checkKeyMatches(files.managementKey(), key, chain.get(0), reader.errors);
    if (ca != null && !issuedBy(chain.get(0), ca)) {
      reader.errors.add(
          new ConfigError(
              files.managementCertificate(),
              "the management certificate is not issued by the gateway's CA ("
                  + files.caCertificate()
                  + "), which its callers trust"));
    }
    return reader.errors.size() == errorsBefore
        ? Optional.of(new RuntimeConfig.ManagementTlsFiles(chain, key))
        : Optional.empty();
  }

  private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static OidcFiles oidcFiles(GatewayConfig.Oidc oidc, Reader reader) {
    if (oidc == null) {
      return OidcFiles.none();
    }
    Optional<SecretBytes> secret =
        oidc.clientSecretFile() == null
            ? Optional.empty()
            : Optional.ofNullable(reader.secret(oidc.clientSecretFile()));
    List<X509Certificate> roots =
        oidc.issuerCaFile() == null ? List.of() : reader.certificates(oidc.issuerCaFile());
    return new OidcFiles(secret, roots == null ? List.of() : roots);
  }

  /**
   * SHA-256 over the document and the files it names, without parsing or validating them: cheap
   * enough to poll, and equal to {@link RuntimeConfig#fingerprint()} of a load of the same bytes.
   */
  public static String fingerprint(Path directory) {
    Reader reader = new Reader(directory);
    byte[] documentBytes = reader.read(CONFIG_FILE);
    if (documentBytes == null) {
      return "missing";
    }
    try {
      GatewayConfig document =
          GatewayConfigCodec.read(new String(documentBytes, StandardCharsets.UTF_8));
      for (String name : namedFiles(document)) {
        reader.readOptional(name);
      }
    } catch (InvalidConfigException e) {
      // an invalid document still has a fingerprint; the load will report the problem
    }
    return reader.fingerprint();
  }

  /** Every file name the document refers to, in the order {@link #load} reads them. */
  static List<String> namedFiles(GatewayConfig document) {
    GatewayConfig.Files files = document.files();
    List<String> names = new ArrayList<>();
    names.add(files.caCertificate());
    names.add(files.serverCertificate());
    names.add(files.serverKey());
    names.add(files.crl());
    if (document.authentication().certificate() != null) {
      names.addAll(document.authentication().certificate().trustedRoots());
    }
    if (document.enables(VpnProtocol.OpenVPN)) {
      names.add(files.tlsCryptV2ServerKey());
      names.add(files.authTokenKey());
    }
    names.add(files.managementToken());
    if (files.managementCertificate() != null) {
      names.add(files.managementCertificate());
      names.add(files.managementKey());
    }
    if (document.authentication().radius() != null) {
      document.authentication().radius().servers().forEach(s -> names.add(s.secretFile()));
    }
    GatewayConfig.Oidc oidc = document.authentication().oidc();
    if (oidc != null && oidc.clientSecretFile() != null) {
      names.add(oidc.clientSecretFile());
    }
    if (oidc != null && oidc.issuerCaFile() != null) {
      names.add(oidc.issuerCaFile());
    }
    return names;
  }

  private void checkServerCertificate(String file, X509Certificate cert, List<ConfigError> errors) {
    try {
      cert.checkValidity(java.util.Date.from(clock.instant()));
    } catch (CertificateExpiredException e) {
      errors.add(
          new ConfigError(
              file,
              "the server certificate expired on "
                  + cert.getNotAfter().toInstant()
                  + "; renew it"));
    } catch (CertificateNotYetValidException e) {
      errors.add(
          new ConfigError(
              file,
              "the server certificate is not valid before "
                  + cert.getNotBefore().toInstant()
                  + " (check the clock)"));
    }
  }

  private static void checkTrustedRoot(
      String file, X509Certificate root, List<ConfigError> errors) {
    if (root.getBasicConstraints() < 0) {
      errors.add(
          new ConfigError(
              file,
              "certificate "
                  + root.getSubjectX500Principal().getName()
                  + " is not a CA certificate (basicConstraints CA:FALSE)"));
    }
  }

  /**
   * Proves the key belongs to the certificate by signing a random challenge and verifying it with
   * the certificate's public key: works for every key type without comparing key internals.
   */
  static void checkKeyMatches(
      String file, PrivateKey key, X509Certificate cert, List<ConfigError> errors) {
    PublicKey publicKey = cert.getPublicKey();
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      errors.add(
          new ConfigError(
              file,
              "the key is "
                  + key.getAlgorithm()
                  + " but the certificate's key is "
                  + publicKey.getAlgorithm()));
      return;
    }
    String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      if (!verifier.verify(signature)) {
        errors.add(
            new ConfigError(
                file,
                "the private key does not belong to the server certificate "
                    + cert.getSubjectX500Principal().getName()));
      }
    } catch (GeneralSecurityException e) {
      errors.add(new ConfigError(file, "cannot use the private key: " + e.getMessage()));
    }
  }

  /** Reads files of one directory, collecting errors and hashing every byte it reads. */
  private static final class Reader {
    final Path directory;
    final List<ConfigError> errors = new ArrayList<>();
    final MessageDigest digest;

    Reader(Path directory) {
      this.directory = directory;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is missing from the JDK", e);
      }
    }

    String fingerprint() {
      return HexFormat.of().formatHex(digest.digest());
    }

    /** The file's bytes, or null (with an error recorded) when it is missing or unreadable. */
    byte[] read(String name) {
      byte[] bytes = readOptional(name);
      if (bytes == null && errors.stream().noneMatch(e -> e.field().equals(name))) {
        errors.add(new ConfigError(name, "file is missing from " + directory));
      }
      return bytes;
    }

    /** The file's bytes, or null when it does not exist (an unreadable file is an error). */
    byte[] readOptional(String name) {
      if (name == null || name.isBlank() || name.contains("/") || name.startsWith("..")) {
        errors.add(
            new ConfigError(
                String.valueOf(name), "is not a plain file name inside the config directory"));
        return null;
      }
      try {
        byte[] bytes = Files.readAllBytes(directory.resolve(name));
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(bytes);
        return bytes;
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        errors.add(new ConfigError(name, "cannot read: " + e.getMessage()));
        return null;
      }
    }

    X509Certificate certificate(String name) {
      List<X509Certificate> all = certificates(name);
      if (all == null) {
        return null;
      }
      if (all.size() != 1) {
        errors.add(new ConfigError(name, "expected one certificate, found " + all.size()));
        return null;
      }
      return all.get(0);
    }

    List<X509Certificate> certificates(String name) {
      byte[] bytes = read(name);
      if (bytes == null) {
        return null;
      }
      try {
        return Pem.decodeCertificates(new String(bytes, StandardCharsets.US_ASCII));
      } catch (PkiException e) {
        errors.add(new ConfigError(name, "not a PEM certificate: " + e.getMessage()));
        return null;
      }
    }

    PrivateKey privateKey(String name) {
      byte[] bytes = read(name);
      if (bytes == null) {
        return null;
      }
      try {
        return Pem.decodePrivateKey(new String(bytes, StandardCharsets.US_ASCII));
      } catch (PkiException e) {
        // PkiException messages describe the structure, never the key bytes
        errors.add(new ConfigError(name, "not a PEM private key: " + e.getMessage()));
        return null;
      } finally {
        java.util.Arrays.fill(bytes, (byte) 0);
      }
    }

    Optional<X509CRL> optionalCrl(String name, X509Certificate ca) {
      byte[] bytes = readOptional(name);
      if (bytes == null) {
        return Optional.empty();
      }
      X509CRL crl;
      try {
        crl = Pem.decodeCrl(new String(bytes, StandardCharsets.US_ASCII));
      } catch (PkiException e) {
        errors.add(new ConfigError(name, "not a PEM CRL: " + e.getMessage()));
        return Optional.empty();
      }
      if (ca != null) {
        try {
          crl.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
          errors.add(
              new ConfigError(
                  name,
                  "the CRL is not signed by the CA in the config ("
                      + ca.getSubjectX500Principal().getName()
                      + ")"));
          return Optional.empty();
        }
      }
      return Optional.of(crl);
    }

    TlsCryptV2ServerKey tlsCryptV2Key(String name) {
      byte[] bytes = read(name);
      if (bytes == null) {
        return null;
      }
      try {
        return TlsCryptV2ServerKey.parse(new String(bytes, StandardCharsets.US_ASCII));
      } catch (OpenVpnKeyFormatException e) {
        errors.add(
            new ConfigError(name, "not an OpenVPN tls-crypt-v2 server key: " + e.getMessage()));
        return null;
      } finally {
        java.util.Arrays.fill(bytes, (byte) 0);
      }
    }

    /** A file holding a key as base64 (standard or URL alphabet) text. */
    SecretBytes base64Secret(String name, int minBytes) {
      SecretBytes text = secret(name);
      if (text == null) {
        return null;
      }
      byte[] chars = text.bytes();
      try {
        String s =
            new String(chars, StandardCharsets.US_ASCII)
                .replaceAll("\\s", "")
                .replace('-', '+')
                .replace('_', '/');
        byte[] decoded = java.util.Base64.getDecoder().decode(s);
        if (decoded.length < minBytes) {
          errors.add(
              new ConfigError(
                  name,
                  "the key is " + decoded.length + " bytes; at least " + minBytes + " are needed"));
          return null;
        }
        return SecretBytes.of(decoded);
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError(name, "is not base64 text"));
        return null;
      } finally {
        SecretBytes.wipe(chars);
      }
    }

    SecretBytes secret(String name) {
      byte[] bytes = read(name);
      if (bytes == null) {
        return null;
      }
      byte[] trimmed = trim(bytes);
      java.util.Arrays.fill(bytes, (byte) 0);
      if (trimmed.length == 0) {
        errors.add(new ConfigError(name, "file is empty"));
        return null;
      }
      SecretBytes secret = SecretBytes.of(trimmed);
      java.util.Arrays.fill(trimmed, (byte) 0);
      return secret;
    }

    /** Drops trailing whitespace: editors and `echo` add a newline a token never has. */
    private static byte[] trim(byte[] bytes) {
      int end = bytes.length;
      while (end > 0
          && (bytes[end - 1] == '\n'
              || bytes[end - 1] == '\r'
              || bytes[end - 1] == ' '
              || bytes[end - 1] == '\t')) {
        end--;
      }
      return java.util.Arrays.copyOf(bytes, end);
    }
  }
}
