package io.vpngateway.gateway.standalone;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.GatewayTokens;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.config.SecretReferences;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.CertificateAuthorityFiles;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.api.pki.ServerCertificates.ServerTls;
import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The standalone gateway's state directory ({@code vpngw serve -f GATEWAY.yaml --state-dir DIR}):
 * the same files the operator renders into the config Secret, made on first start and reused after,
 * so {@code vpngw serve} runs on it exactly as in a pod.
 *
 * <pre>
 *   config.yaml                 rendered from the VpnGateway file on every start
 *   ca.crt, ca.key              the built-in CA; created once, never silently replaced
 *   server.crt, server.key      issued for the endpoints; re-issued when they change or expire
 *   crl.pem                     the CA's CRL; {@code vpngw revoke} adds to it
 *   tls-crypt-v2-server.key     OpenVPN tls-crypt-v2 server key
 *   auth-token.key              base64 of the OpenVPN auth-token HMAC key
 *   management.token            bearer token of the management API
 *   management.crt, .key        the management API's TLS certificate (the CA's; 90 days, renewed)
 *   endpoint                    the host names / addresses clients dial, one per line
 *   issued/NAME/SERIAL.crt      every client certificate issued to NAME, for {@code vpngw revoke}
 *   .lock                       serialises changes between {@code vpngw} processes
 * </pre>
 *
 * <p>The directory is kept mode 0700 and every key and token file 0600 ({@link StatePermissions}),
 * checked each time it is opened. The CRL, the server certificate and the tokens follow the rules
 * of the operator's Secrets, from the same code in {@code api} ({@link RevocationList}, {@link
 * ServerCertificates}, {@link GatewayTokens}).
 */
public final class StateDirectory {
  public static final String ENDPOINT_FILE = "endpoint";
  public static final String ISSUED_DIR = "issued";

  /** A CRL lives this long; {@link #refreshCrl} re-signs it well before. */
  static final Duration CRL_LIFETIME = Duration.ofDays(30);

  static final Duration CRL_REFRESH_BEFORE = Duration.ofDays(15);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final IssuedCertificates issued;

  private StateDirectory(Path dir) {
    this.dir = dir;
    this.issued = new IssuedCertificates(dir.resolve(ISSUED_DIR));
  }

  /**
   * Opens the state directory, creating it when missing; narrows the modes of the directory, its
   * {@code issued/} and its key and token files when they are wider than 0700 / 0600.
   */
  public static StateDirectory open(Path dir) throws StandaloneException {
    StatePermissions.directory(dir);
    StateDirectory state = new StateDirectory(dir);
    StatePermissions.directory(state.issued.directory());
    for (String secret : state.secretFiles()) {
      StatePermissions.secretFile(dir.resolve(secret));
    }
    return state;
  }

  /**
   * The config document of a state or config directory, read without creating or changing anything
   * (the management commands also read a pod's read-only config directory).
   */
  public static GatewayConfig readConfig(Path dir) throws StandaloneException {
    return new StateDirectory(dir).config();
  }

  public Path path() {
    return dir;
  }

  /**
   * Makes the directory ready for {@code vpngw serve}: renders {@code config.yaml} from the CR,
   * creates what is missing (CA, secrets), re-issues the server certificate when the endpoints
   * changed or it nears expiry, and refreshes the CRL.
   *
   * @param endpoints host names and addresses clients dial; empty reuses the stored ones or, on
   *     first start, this host's name and addresses
   */
  public GatewayConfig prepare(VpnGateway gateway, List<String> endpoints, Instant now)
      throws StandaloneException {
    return prepare(new GatewayFile(gateway, java.util.Map.of()), endpoints, now);
  }

  /**
   * As {@link #prepare(VpnGateway, List, Instant)}, also writing the value of every Secret the
   * VpnGateway references (RADIUS shared secrets, trusted roots) from the Secret documents of the
   * same file into the config file the operator would have made of it. A reference the file does
   * not satisfy may still be met by that config file placed in the directory by hand; otherwise it
   * is a one-line error naming the Secret and the spec field.
   */
  public GatewayConfig prepare(GatewayFile file, List<String> endpoints, Instant now)
      throws StandaloneException {
    VpnGateway gateway = file.gateway();
    GatewayConfig config;
    try {
      config = GatewayConfigRenderer.render(gateway, RenderDefaults.standalone());
      GatewayConfigCodec.read(GatewayConfigCodec.write(config));
    } catch (InvalidConfigException e) {
      throw new StandaloneException("the VpnGateway is not valid: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new StandaloneException("cannot render the VpnGateway: " + e.getMessage(), e);
    }
    try (StateLock lock = StateLock.acquire(dir)) {
      List<String> effective = resolveEndpoints(endpoints);
      AtomicFiles.write(
          dir.resolve(ENDPOINT_FILE), String.join("\n", effective) + "\n", AtomicFiles.PUBLIC);
      CertificateAuthority ca =
          CertificateAuthorityFiles.loadOrCreate(
              dir, gateway.getMetadata().getName(), KeySpec.EC_P256, now);
      GatewayConfig.Files files = config.files();
      ensureServerCertificate(ca, files, gateway.getMetadata().getName(), effective, now);
      ensureManagementCertificate(ca, config, now);
      writeCrlIfDue(ca, files.crl(), now);
      writeReferencedSecrets(file);
      for (Map.Entry<String, String> token :
          GatewayTokens.keepOrCreate(files, this::readIfPresent, RANDOM).entrySet()) {
        Path tokenFile = dir.resolve(token.getKey());
        if (!Files.exists(tokenFile)
            || readIfPresent(token.getKey()).filter(String::isBlank).isPresent()) {
          AtomicFiles.write(tokenFile, token.getValue(), AtomicFiles.PRIVATE);
        }
      }
      if (!Files.exists(dir.resolve(files.tlsCryptV2ServerKey()))) {
        AtomicFiles.write(
            dir.resolve(files.tlsCryptV2ServerKey()),
            TlsCryptV2ServerKey.generate(RANDOM).toPem(),
            AtomicFiles.PRIVATE);
      }
      // the document last: a serve already watching sees the complete set in one reload
      AtomicFiles.write(
          dir.resolve(ConfigDirectoryLoader.CONFIG_FILE),
          GatewayConfigCodec.write(config),
          AtomicFiles.PUBLIC);
      return config;
    } catch (IOException e) {
      throw new StandaloneException(
          "cannot write to the state directory " + dir + ": " + e.getMessage(), e);
    } catch (PkiException e) {
      throw new StandaloneException(e.getMessage(), e);
    }
  }

  private void writeReferencedSecrets(GatewayFile file) throws IOException, StandaloneException {
    List<String> missing = new ArrayList<>();
    for (SecretReferences.Reference ref : SecretReferences.of(file.gateway().getSpec())) {
      if (ref.file() == null) {
        continue; // a bring-your-own server certificate: standalone issues its own
      }
      SecretReferences.Resolution one = SecretReferences.resolve(List.of(ref), file::secret);
      if (one.complete()) {
        AtomicFiles.write(
            dir.resolve(ref.file()), one.files().get(ref.file()), AtomicFiles.PRIVATE);
      } else if (!Files.exists(dir.resolve(ref.file()))) {
        missing.add(one.missing().get(0));
      }
    }
    if (!missing.isEmpty()) {
      throw new StandaloneException(
          String.join("; ", missing)
              + ": add each as a Secret document (after ---) to the VpnGateway file, as for kubectl"
              + " apply -f");
    }
  }

  /** The CA of a prepared directory; never creates one. */
  public CertificateAuthority certificateAuthority() throws StandaloneException {
    Path cert = dir.resolve(CertificateAuthorityFiles.CERTIFICATE_FILE);
    Path key = dir.resolve(CertificateAuthorityFiles.PRIVATE_KEY_FILE);
    if (!Files.exists(cert) || !Files.exists(key)) {
      throw new StandaloneException(
          "no CA in "
              + dir
              + "; run 'vpngw serve -f GATEWAY.yaml"
              + " --state-dir "
              + dir
              + "' once first");
    }
    try {
      return CertificateAuthority.fromPem(Files.readString(cert), Files.readString(key));
    } catch (IOException | PkiException e) {
      throw new StandaloneException("cannot load the CA from " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The rendered config document of a prepared directory. */
  public GatewayConfig config() throws StandaloneException {
    Path file = configFile();
    try {
      return GatewayConfigCodec.read(Files.readString(file));
    } catch (IOException | InvalidConfigException e) {
      throw new StandaloneException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file names of the rendered config document, without reading the rest of it through the
   * codec ({@link ConfigFileNames}: the short-lived commands' path).
   */
  private ConfigFileNames fileNames() throws StandaloneException {
    Path file = configFile();
    try {
      return ConfigFileNames.read(Files.readString(file));
    } catch (IOException | IllegalArgumentException e) {
      throw new StandaloneException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The config document's path; a one-line error when a first {@code serve} has not made it. */
  private Path configFile() throws StandaloneException {
    Path file = dir.resolve(ConfigDirectoryLoader.CONFIG_FILE);
    if (!Files.exists(file)) {
      throw new StandaloneException(
          "no "
              + ConfigDirectoryLoader.CONFIG_FILE
              + " in "
              + dir
              + "; run 'vpngw serve -f GATEWAY.yaml --state-dir "
              + dir
              + "' once first");
    }
    return file;
  }

  /** The endpoints stored by the last {@code serve}. */
  public List<String> storedEndpoints() throws IOException {
    Path file = dir.resolve(ENDPOINT_FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  public byte[] readSecret(String fileName) throws IOException {
    return Files.readAllBytes(dir.resolve(fileName));
  }

  /** Whether {@code name} can name issued certificates (it becomes a file name). */
  public static boolean validName(String name) {
    return IssuedCertificates.validName(name);
  }

  /** Records a client certificate issued to {@code name}, beside the earlier ones. */
  public Path recordIssued(String name, IssuedCertificate certificate) throws IOException {
    try (StateLock lock = StateLock.acquire(dir)) {
      return issued.record(name, certificate.certificate());
    }
  }

  /**
   * Adds {@code serial} to the CRL (keeping every earlier entry) and re-signs it; a running {@code
   * serve} sees the new file through its directory watch.
   *
   * @return false when the serial was already revoked
   */
  public boolean revoke(CertificateAuthority ca, BigInteger serial, Instant now)
      throws StandaloneException {
    return !revokeSerials(ca, List.of(serial), now).isEmpty();
  }

  /**
   * What {@link #revokeIssued} did for a name.
   *
   * @param revoked serials added to the CRL now
   * @param alreadyRevoked unexpired serials the CRL listed before
   * @param expired how many certificates issued to the name have expired (a gateway refuses them
   *     without a CRL entry, so they are left out)
   */
  public record Revocation(
      String name, List<BigInteger> revoked, List<BigInteger> alreadyRevoked, int expired) {}

  /**
   * Revokes every unexpired client certificate issued to {@code name} ({@code vpngw revoke NAME}),
   * not only the latest, in one CRL write: issuing a name again never invalidates its earlier
   * certificates, as a ClientCertificate's renewal does not in the operator.
   */
  public Revocation revokeIssued(String name, Instant now) throws StandaloneException {
    if (!issued.known(name)) {
      throw new StandaloneException(
          "no client certificate named '"
              + name
              + "' was issued from "
              + dir
              + " (see "
              + issued.directory()
              + ")");
    }
    IssuedCertificates.Found found;
    try {
      found = issued.read(name);
    } catch (IOException e) {
      throw new StandaloneException(
          "cannot read the certificates issued to '" + name + "': " + e.getMessage(), e);
    }
    List<X509Certificate> unexpired = found.unexpired(now);
    List<BigInteger> serials =
        unexpired.stream().map(X509Certificate::getSerialNumber).distinct().toList();
    List<BigInteger> revoked = revokeSerials(certificateAuthority(), serials, now);
    if (!found.unreadable().isEmpty()) {
      // the readable ones are listed now; the user has to look at the rest
      throw new StandaloneException(
          "revoked "
              + revoked.size()
              + " certificate(s) of '"
              + name
              + "', but cannot read "
              + String.join(", ", found.unreadable())
              + ": the certificate in it is NOT revoked");
    }
    return new Revocation(
        name,
        revoked,
        serials.stream().filter(s -> !revoked.contains(s)).toList(),
        found.certificates().size() - unexpired.size());
  }

  /** Lists every serial the CRL lacks, in one write; returns the serials it added. */
  private List<BigInteger> revokeSerials(
      CertificateAuthority ca, List<BigInteger> serials, Instant now) throws StandaloneException {
    String crlFile = fileNames().files().crl();
    try (StateLock lock = StateLock.acquire(dir)) {
      Optional<X509CRL> before = readCrl(crlFile).filter(c -> RevocationList.signedBy(ca, c));
      Optional<X509CRL> signed = RevocationList.revoke(ca, before, serials, now, CRL_LIFETIME);
      if (signed.isEmpty()) {
        return List.of();
      }
      writeCrl(crlFile, signed.get());
      return serials.stream()
          .filter(s -> before.isEmpty() || !RevocationList.lists(before.get(), s))
          .distinct()
          .toList();
    } catch (IOException e) {
      throw new StandaloneException("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Re-signs the CRL when it nears its nextUpdate and renews the management certificate when due (a
   * running standalone gateway calls this; it reloads both).
   */
  public void refreshCrl(Instant now) throws StandaloneException {
    CertificateAuthority ca = certificateAuthority();
    GatewayConfig config = config();
    try (StateLock lock = StateLock.acquire(dir)) {
      writeCrlIfDue(ca, config.files().crl(), now);
      ensureManagementCertificate(ca, config, now);
    } catch (IOException e) {
      throw new StandaloneException("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The caller holds the lock. */
  private void writeCrlIfDue(CertificateAuthority ca, String crlFile, Instant now)
      throws StandaloneException {
    Optional<X509CRL> previous = readCrl(crlFile);
    X509CRL crl = RevocationList.current(ca, previous, now, CRL_LIFETIME, CRL_REFRESH_BEFORE);
    if (previous.isEmpty() || crl != previous.get()) {
      writeCrl(crlFile, crl);
    }
  }

  private void writeCrl(String crlFile, X509CRL crl) throws StandaloneException {
    try {
      AtomicFiles.write(dir.resolve(crlFile), Pem.encode(crl), AtomicFiles.PUBLIC);
    } catch (IOException e) {
      throw new StandaloneException(
          "cannot write " + dir.resolve(crlFile) + ": " + e.getMessage(), e);
    }
  }

  private Optional<X509CRL> readCrl(String crlFile) throws StandaloneException {
    Path file = dir.resolve(crlFile);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pem.decodeCrl(Files.readString(file, StandardCharsets.US_ASCII)));
    } catch (IOException | PkiException e) {
      throw new StandaloneException(
          "cannot read the CRL "
              + file
              + " ("
              + e.getMessage()
              + "); restore it or delete it to start an empty one",
          e);
    }
  }

  /** The caller holds the lock. */
  private void ensureServerCertificate(
      CertificateAuthority ca,
      GatewayConfig.Files files,
      String gatewayName,
      List<String> endpoints,
      Instant now)
      throws IOException {
    Path certFile = dir.resolve(files.serverCertificate());
    Path keyFile = dir.resolve(files.serverKey());
    Optional<ServerTls> existing =
        Files.exists(certFile) && Files.exists(keyFile)
            ? Optional.of(new ServerTls(Files.readString(certFile), Files.readString(keyFile)))
            : Optional.empty();
    ServerNames names = ServerNames.of(endpoints);
    ServerTls server =
        ServerCertificates.keepOrIssue(
            ca,
            existing,
            new ServerCertificateRequest(
                // the CN is also a subjectAltName (as the operator's certificates): IKEv2 clients
                // such as strongSwan look for the identity they are given among the SANs
                endpoints.isEmpty() ? gatewayName + " gateway" : endpoints.get(0),
                names.dnsNames(),
                names.ipAddresses(),
                KeySpec.EC_P256,
                ServerCertificateRequest.DEFAULT_VALIDITY),
            ServerCertificates.DEFAULT_RENEW_BEFORE,
            now);
    if (existing.isPresent() && server.equals(existing.get())) {
      return;
    }
    AtomicFiles.write(keyFile, server.keyPem(), AtomicFiles.PRIVATE);
    AtomicFiles.write(certFile, server.certificatePem(), AtomicFiles.PUBLIC);
  }

  /**
   * The management API's certificate ({@link ManagementTls}): the gateway's identity plus the
   * loopback names, so {@code curl --cacert ca.crt https://127.0.0.1:9443/metrics} works too. The
   * caller holds the lock.
   */
  private void ensureManagementCertificate(CertificateAuthority ca, GatewayConfig config, Instant now)
      throws IOException {
    GatewayConfig.Files files = config.files();
    if (files.managementCertificate() == null) {
      return;
    }
    Path certFile = dir.resolve(files.managementCertificate());
    Path keyFile = dir.resolve(files.managementKey());
    Optional<ServerTls> existing =
        Files.exists(certFile) && Files.exists(keyFile)
            ? Optional.of(new ServerTls(Files.readString(certFile), Files.readString(keyFile)))
            : Optional.empty();
    ServerTls management =
        ManagementTls.keepOrIssue(
            ca,
            existing,
            config.gateway().namespace(),
            config.gateway().name(),
            LOOPBACK_NAMES,
            now);
    if (existing.isPresent() && management.equals(existing.get())) {
      return;
    }
    AtomicFiles.write(keyFile, management.keyPem(), AtomicFiles.PRIVATE);
    AtomicFiles.write(certFile, management.certificatePem(), AtomicFiles.PUBLIC);
  }

  /** Names besides the identity in a standalone management certificate. */
  private static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

  /** The files that hold keys or secrets: the CA key and every secret the config names. */
  private List<String> secretFiles() {
    GatewayConfig.Files files = GatewayConfig.Files.defaults();
    List<String> secrets = new ArrayList<>();
    secrets.add(CertificateAuthorityFiles.PRIVATE_KEY_FILE);
    try {
      ConfigFileNames names = fileNames();
      files = names.files();
      secrets.addAll(names.radiusSecretFiles());
    } catch (StandaloneException e) {
      // no document yet (first start) or an unreadable one: the default names
    }
    secrets.addAll(
        List.of(
            files.serverKey(),
            files.tlsCryptV2ServerKey(),
            files.authTokenKey(),
            files.managementToken()));
    if (files.managementKey() != null) {
      secrets.add(files.managementKey());
    }
    return secrets;
  }

  private Optional<String> readIfPresent(String fileName) {
    Path file = dir.resolve(fileName);
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private List<String> resolveEndpoints(List<String> given) throws IOException {
    if (!given.isEmpty()) {
      return List.copyOf(new LinkedHashSet<>(given));
    }
    List<String> stored = storedEndpoints();
    if (!stored.isEmpty()) {
      return stored;
    }
    return LocalEndpoints.discover();
  }
}
