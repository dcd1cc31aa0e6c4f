package io.vpngateway.gateway.standalone;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.Pkcs12Bundle;
import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.profile.ClientIssuance;
import io.vpngateway.api.profile.ClientProfileInput;
import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.api.profile.ClientSecretData;
import io.vpngateway.api.profile.OpenVpnProfileRenderer;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code vpngw issue}: issues a client certificate from the state directory's CA for a
 * ClientCertificate file and writes exactly what the operator puts in its output Secret ({@link
 * ClientSecretData}: {@code tls.crt}, {@code tls.key}, {@code ca.crt}, {@code keystore.p12} and its
 * password, and every profile {@link ClientProfiles} renders, e.g. {@code client.ovpn}).
 */
public final class ClientIssuer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StateDirectory state;

  public ClientIssuer(StateDirectory state) {
    this.state = state;
  }

  /** What {@link #issue} wrote. */
  public record Result(String name, IssuedCertificate certificate, List<Path> files) {}

  /**
   * @param endpoint the host clients dial; null takes the first endpoint the gateway was served
   *     with
   */
  public Result issue(ClientCertificate request, String endpoint, Path outDir, Instant now)
      throws StandaloneException {
    ClientCertificateSpec spec = request.getSpec();
    if (spec == null || spec.commonName == null) {
      throw new StandaloneException("the ClientCertificate has no spec.commonName");
    }
    String name =
        request.getMetadata() == null || request.getMetadata().getName() == null
            ? spec.commonName
            : request.getMetadata().getName();
    if (!StateDirectory.validName(name)) {
      throw new StandaloneException(
          "metadata.name '"
              + name
              + "' cannot be a file name; use"
              + " letters, digits, '.', '_' and '-'");
    }
    GatewayConfig config = state.config();
    if (spec.gatewayRef != null
        && spec.gatewayRef.name != null
        && !spec.gatewayRef.name.equals(config.gateway().name())) {
      throw new StandaloneException(
          "the ClientCertificate is for gateway '"
              + spec.gatewayRef.name
              + "' but "
              + state.path()
              + " holds gateway '"
              + config.gateway().name()
              + "'");
    }
    CertificateAuthority ca = state.certificateAuthority();
    requireValidDuration(spec);
    try {
      IssuedCertificate issued = ca.issueClientCertificate(ClientIssuance.request(spec), now);
      state.recordIssued(name, issued);
      Files.createDirectories(outDir);
      Pkcs12Bundle p12 = issued.toPkcs12(spec.commonName);
      ClientProfileInput input = profileInput(config, issued, p12, endpoint(endpoint), now);
      List<Path> written = new ArrayList<>();
      // the same names and content as the operator's output Secret
      for (Map.Entry<String, byte[]> file : ClientSecretData.of(issued, input).entrySet()) {
        boolean isPublic =
            file.getKey().equals(ClientSecretData.CERTIFICATE)
                || file.getKey().equals(ClientSecretData.CA_CERTIFICATE);
        written.add(
            write(
                outDir,
                file.getKey(),
                file.getValue(),
                isPublic ? AtomicFiles.PUBLIC : AtomicFiles.PRIVATE));
      }
      return new Result(name, issued, written);
    } catch (PkiException | IllegalArgumentException e) {
      throw new StandaloneException("cannot issue '" + name + "': " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StandaloneException("cannot write to " + outDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code vpngw profile}: the generic OpenVPN profile of a gateway that admits clients without a
   * certificate ({@link ClientIssuance#passwordOnlyProfileInput}): {@code client.ovpn} (CA,
   * tls-crypt-v2 client key, {@code auth-user-pass}, no {@code cert}/{@code key}) and {@code
   * ca.crt}. Every call wraps a fresh tls-crypt-v2 client key; earlier profiles stay valid.
   */
  public List<Path> passwordOnlyProfile(String endpoint, Path outDir, Instant now)
      throws StandaloneException {
    GatewayConfig config = state.config();
    try {
      String host = endpoint(endpoint);
      X509Certificate server = serverCertificate(config);
      ClientProfileInput input =
          ClientIssuance.passwordOnlyProfileInput(
              config,
              new ClientIssuance.Endpoint(
                  config.gateway().name(),
                  host,
                  ClientCertificates.commonNameOf(server).orElse(host)),
              state.certificateAuthority().certificatePem(),
              tlsCryptV2ClientKey(config, now));
      Files.createDirectories(outDir);
      return List.of(
          write(
              outDir,
              ClientProfiles.OPENVPN,
              OpenVpnProfileRenderer.render(input).getBytes(StandardCharsets.UTF_8),
              AtomicFiles.PRIVATE),
          write(
              outDir,
              ClientSecretData.CA_CERTIFICATE,
              input.caCertificatePem().getBytes(StandardCharsets.US_ASCII),
              AtomicFiles.PUBLIC));
    } catch (IllegalArgumentException e) {
      throw new StandaloneException("no password-only profile: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StandaloneException("cannot write to " + outDir + ": " + e.getMessage(), e);
    }
  }

  private X509Certificate serverCertificate(GatewayConfig config) throws IOException {
    return Pem.decodeCertificates(
            Files.readString(state.path().resolve(config.files().serverCertificate())))
        .get(0);
  }

  private ClientProfileInput profileInput(
      GatewayConfig config,
      IssuedCertificate issued,
      Pkcs12Bundle p12,
      String endpoint,
      Instant now)
      throws StandaloneException, IOException {
    X509Certificate server = serverCertificate(config);
    return ClientIssuance.profileInput(
        config,
        new ClientIssuance.Endpoint(
            config.gateway().name(),
            endpoint,
            ClientCertificates.commonNameOf(server).orElse(endpoint)),
        issued,
        p12,
        config.enables(VpnProtocol.OpenVPN) ? tlsCryptV2ClientKey(config, now) : null);
  }

  /** A fresh client key wrapped with the gateway's tls-crypt-v2 server key (openvpn's WKc). */
  private String tlsCryptV2ClientKey(GatewayConfig config, Instant now)
      throws StandaloneException, IOException {
    Path file = state.path().resolve(config.files().tlsCryptV2ServerKey());
    try {
      TlsCryptV2ServerKey serverKey =
          TlsCryptV2ServerKey.parse(Files.readString(file, StandardCharsets.US_ASCII));
      return ClientIssuance.newTlsCryptV2ClientKey(serverKey, RANDOM, now);
    } catch (OpenVpnKeyFormatException e) {
      throw new StandaloneException(
          file + " is not a tls-crypt-v2 server key: " + e.getMessage(), e);
    }
  }

  private String endpoint(String given) throws IOException, StandaloneException {
    if (given != null && !given.isBlank()) {
      return given.trim();
    }
    List<String> stored = state.storedEndpoints();
    if (stored.isEmpty()) {
      throw new StandaloneException(
          "no endpoint known; pass --endpoint HOST (the name or address" + " clients dial)");
    }
    return stored.get(0);
  }

  /** A bad spec.duration is the user's file, not a failed issuance: say so by field. */
  private static void requireValidDuration(ClientCertificateSpec spec) throws StandaloneException {
    try {
      ClientIssuance.validity(spec);
    } catch (IllegalArgumentException e) {
      throw new StandaloneException(e.getMessage(), e);
    }
  }

  private static Path write(Path dir, String name, byte[] content, String permissions)
      throws IOException {
    Path file = dir.resolve(name);
    AtomicFiles.write(file, content, permissions);
    return file;
  }
}
