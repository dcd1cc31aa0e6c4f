package io.vpngateway.gateway.standalone;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.SecretReferences;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.CertificateAuthorityFiles;
import io.vpngateway.api.pki.Crls;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
 *   endpoint                    the host names / addresses clients dial, one per line
 *   issued/NAME.crt             every client certificate issued, for {@code vpngw revoke NAME}
 * </pre>
 */
public final class StateDirectory {
  public static final String ENDPOINT_FILE = "endpoint";
  public static final String ISSUED_DIR = "issued";

  /** A CRL lives this long; {@link #refreshCrl} re-signs it well before. */
  static final Duration CRL_LIFETIME = Duration.ofDays(30);

  static final Duration CRL_REFRESH_BEFORE = Duration.ofDays(15);
  static final Duration SERVER_RENEW_BEFORE = Duration.ofDays(30);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  private StateDirectory(Path dir) {
    this.dir = dir;
  }

  /** Opens (and creates, mode 0700) the state directory. */
  public static StateDirectory open(Path dir) throws StandaloneException {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      if (!Files.isDirectory(dir)) {
        throw new StandaloneException(dir + " is not a directory; pass --state-dir a directory");
      }
      Files.createDirectories(dir.resolve(ISSUED_DIR));
      return new StateDirectory(dir);
    } catch (IOException e) {
      throw new StandaloneException(
          "cannot create the state directory " + dir + ": " + e.getMessage(), e);
    }
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
    try {
      List<String> effective = resolveEndpoints(endpoints);
      AtomicFiles.write(
          dir.resolve(ENDPOINT_FILE), String.join("\n", effective) + "\n", AtomicFiles.PUBLIC);
      CertificateAuthority ca =
          CertificateAuthorityFiles.loadOrCreate(
              dir, gateway.getMetadata().getName(), KeySpec.EC_P256, now);
      GatewayConfig.Files files = config.files();
      ensureServerCertificate(ca, files, gateway.getMetadata().getName(), effective, now);
      refreshCrl(ca, files.crl(), now);
      writeReferencedSecrets(file);
      createSecretIfMissing(files.managementToken(), 32);
      createSecretIfMissing(files.authTokenKey(), 48);
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
    List<String> missing = new java.util.ArrayList<>();
    for (SecretReferences.Reference ref : SecretReferences.of(file.gateway().getSpec())) {
      if (ref.file() == null) {
        continue; // a bring-your-own server certificate: standalone issues its own
      }
      SecretReferences.Resolution one = SecretReferences.resolve(List.of(ref), file::secret);
      if (one.complete()) {
        AtomicFiles.write(dir.resolve(ref.file()), one.files().get(ref.file()), AtomicFiles.PRIVATE);
      } else if (!Files.exists(dir.resolve(ref.file()))) {
        missing.add(one.missing().get(0));
      }
    }
    if (!missing.isEmpty()) {
      throw new StandaloneException(String.join("; ", missing)
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
    try {
      return GatewayConfigCodec.read(Files.readString(file));
    } catch (IOException | InvalidConfigException e) {
      throw new StandaloneException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The endpoints stored by the last {@code serve}. */
  public List<String> storedEndpoints() throws IOException {
    Path file = dir.resolve(ENDPOINT_FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Where the certificate issued to client {@code name} is recorded. */
  public Path issuedCertificate(String name) {
    return dir.resolve(ISSUED_DIR).resolve(name + ".crt");
  }

  public byte[] readSecret(String fileName) throws IOException {
    return Files.readAllBytes(dir.resolve(fileName));
  }

  /** Records an issued client certificate. */
  public void recordIssued(String name, IssuedCertificate issued) throws IOException {
    AtomicFiles.write(issuedCertificate(name), issued.certificatePem(), AtomicFiles.PUBLIC);
  }

  /**
   * Adds {@code serial} to the CRL (keeping every earlier entry) and re-signs it; a running {@code
   * serve} sees the new file through its directory watch.
   *
   * @return false when the serial was already revoked
   */
  public boolean revoke(CertificateAuthority ca, BigInteger serial, Instant now)
      throws StandaloneException {
    String crlFile = config().files().crl();
    Optional<X509CRL> previous = readCrl(crlFile);
    List<RevokedCertificate> entries = revokedEntries(previous);
    if (entries.stream().anyMatch(e -> e.serialNumber().equals(serial))) {
      return false;
    }
    entries.add(new RevokedCertificate(serial, now));
    writeCrl(ca, crlFile, previous, entries, now);
    return true;
  }

  /**
   * Revokes the client certificate issued under {@code name} ({@code vpngw revoke NAME}).
   *
   * @return the revoked serial, or empty when it was already revoked
   */
  public Optional<BigInteger> revokeIssued(String name, Instant now) throws StandaloneException {
    Path file = issuedCertificate(name);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}") || !Files.exists(file)) {
      throw new StandaloneException(
          "no client certificate named '"
              + name
              + "' was issued from "
              + dir
              + " (see "
              + dir.resolve(ISSUED_DIR)
              + ")");
    }
    X509Certificate cert;
    try {
      cert = Pem.decodeCertificates(Files.readString(file)).get(0);
    } catch (IOException | PkiException e) {
      throw new StandaloneException("cannot read " + file + ": " + e.getMessage(), e);
    }
    BigInteger serial = cert.getSerialNumber();
    return revoke(certificateAuthority(), serial, now) ? Optional.of(serial) : Optional.empty();
  }

  /** Re-signs the CRL when it nears its nextUpdate (a running standalone gateway calls this). */
  public void refreshCrl(Instant now) throws StandaloneException {
    try {
      refreshCrl(certificateAuthority(), config().files().crl(), now);
    } catch (IOException e) {
      throw new StandaloneException("cannot refresh the CRL in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void refreshCrl(CertificateAuthority ca, String crlFile, Instant now)
      throws IOException, StandaloneException {
    Optional<X509CRL> previous = readCrl(crlFile);
    if (previous.isPresent()
        && signedBy(previous.get(), ca)
        && previous.get().getNextUpdate() != null
        && previous.get().getNextUpdate().toInstant().isAfter(now.plus(CRL_REFRESH_BEFORE))) {
      return;
    }
    writeCrl(ca, crlFile, previous, revokedEntries(previous), now);
  }

  private void writeCrl(
      CertificateAuthority ca,
      String crlFile,
      Optional<X509CRL> previous,
      List<RevokedCertificate> entries,
      Instant now)
      throws StandaloneException {
    X509CRL crl = ca.issueCrl(entries, Crls.nextNumber(previous, now), now, now.plus(CRL_LIFETIME));
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

  private static boolean signedBy(X509CRL crl, CertificateAuthority ca) {
    try {
      crl.verify(ca.certificate().getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private static List<RevokedCertificate> revokedEntries(Optional<X509CRL> crl) {
    List<RevokedCertificate> entries = new ArrayList<>();
    Set<? extends X509CRLEntry> revoked = crl.map(X509CRL::getRevokedCertificates).orElse(null);
    for (X509CRLEntry e : revoked == null ? Collections.<X509CRLEntry>emptySet() : revoked) {
      entries.add(new RevokedCertificate(e.getSerialNumber(), e.getRevocationDate().toInstant()));
    }
    return entries;
  }

  private void ensureServerCertificate(
      CertificateAuthority ca,
      GatewayConfig.Files files,
      String gatewayName,
      List<String> endpoints,
      Instant now)
      throws IOException {
    Path certFile = dir.resolve(files.serverCertificate());
    Path keyFile = dir.resolve(files.serverKey());
    List<String> dnsNames = endpoints.stream().filter(e -> !isIpAddress(e)).toList();
    List<String> addresses = endpoints.stream().filter(StateDirectory::isIpAddress).toList();
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      X509Certificate existing = Pem.decodeCertificates(Files.readString(certFile)).get(0);
      boolean fresh = existing.getNotAfter().toInstant().isAfter(now.plus(SERVER_RENEW_BEFORE));
      if (fresh && ca.signed(existing) && sameSans(existing, endpoints)) {
        return;
      }
    }
    IssuedCertificate server =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                // the CN is also a subjectAltName (as the operator's certificates): IKEv2 clients
                // such as strongSwan look for the identity they are given among the SANs
                endpoints.isEmpty() ? gatewayName + " gateway" : endpoints.get(0),
                dnsNames,
                addresses,
                KeySpec.EC_P256,
                ServerCertificateRequest.DEFAULT_VALIDITY),
            now);
    AtomicFiles.write(keyFile, server.privateKeyPem(), AtomicFiles.PRIVATE);
    AtomicFiles.write(certFile, server.certificatePem(), AtomicFiles.PUBLIC);
  }

  private static boolean sameSans(X509Certificate certificate, List<String> endpoints) {
    try {
      Set<String> sans = new LinkedHashSet<>();
      if (certificate.getSubjectAlternativeNames() != null) {
        certificate
            .getSubjectAlternativeNames()
            .forEach(san -> sans.add(String.valueOf(san.get(1))));
      }
      return sans.equals(new LinkedHashSet<>(endpoints));
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
  }

  private void createSecretIfMissing(String fileName, int randomBytes) throws IOException {
    Path file = dir.resolve(fileName);
    if (Files.exists(file)) {
      return;
    }
    byte[] secret = new byte[randomBytes];
    RANDOM.nextBytes(secret);
    // base64url text: survives copy-paste and the loader's trailing-whitespace trim
    AtomicFiles.write(
        file, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), AtomicFiles.PRIVATE);
  }

  private List<String> resolveEndpoints(List<String> given) throws IOException {
    if (!given.isEmpty()) {
      return List.copyOf(new LinkedHashSet<>(given));
    }
    List<String> stored = storedEndpoints();
    if (!stored.isEmpty()) {
      return stored;
    }
    return localEndpoints();
  }

  /** This host's name and its non-loopback IPv4 addresses: what a LAN client would dial. */
  static List<String> localEndpoints() {
    Set<String> endpoints = new LinkedHashSet<>();
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        endpoints.add(host);
      }
    } catch (IOException e) {
      // no resolvable host name: the addresses below still work
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            endpoints.add(a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // no interface list: fall back to the host name alone
    }
    if (endpoints.isEmpty()) {
      endpoints.add("localhost");
    }
    return List.copyOf(endpoints);
  }

  static boolean isIpAddress(String endpoint) {
    return endpoint.matches("\\d{1,3}(\\.\\d{1,3}){3}") || endpoint.contains(":");
  }
}
