package io.vpngateway.api.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The operator → gateway contract: one versioned document, rendered by the operator into the
 * gateway's config Secret (or by {@code vpngw serve -f} from a VpnGateway file), validated by the
 * gateway at load and hot-reloaded on change. Secret material is never inline: {@link Files} names
 * the files beside the document that hold it.
 *
 * <p>Fields that need a restart to change are marked in {@link #restartFingerprint()}; everything
 * else (revocations, roots, routes, DNS, RADIUS, OIDC) is applied live.
 *
 * @param version document version; the gateway refuses versions it does not know
 * @param gateway namespace/name of the VpnGateway this was rendered from (for logs and metrics)
 * @param protocols enabled protocols: {@code OpenVPN}, {@code IKEv2}, {@code SSTP}
 * @param replicas number of replicas; each takes the pool slice of its ordinal
 * @param maxConnections connection limit of the whole gateway; each replica enforces its share
 * @param tunnel the TUN interface all protocols share (its MTU)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record GatewayConfig(
    int version,
    Metadata gateway,
    List<String> protocols,
    Listen listen,
    int replicas,
    int maxConnections,
    List<Pool> pools,
    Routing routing,
    Dns dns,
    Tunnel tunnel,
    Authentication authentication,
    Crypto crypto,
    OpenVpn openvpn,
    Ikev2 ikev2,
    Management management,
    Files files) {

  /** A null list in the document reads as empty. */
  private static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** The document version this build writes and understands. */
  public static final int CURRENT_VERSION = 1;

  public GatewayConfig {
    protocols = copy(protocols);
    pools = copy(pools);
  }

  /** Which VpnGateway the document belongs to. */
  public record Metadata(String namespace, String name) {}

  /** Ports the gateway listens on inside the pod. */
  public record Listen(int openvpnUdp, int openvpnTcp, int ike, int ikeNatT, int sstp) {}

  /** An address pool: {@code cidr}, the groups it serves (empty: default), and its priority. */
  public record Pool(String cidr, List<String> groups, int priority) {
    public Pool {
      groups = copy(groups);
    }
  }

  /** Routes pushed to clients and forwarding behaviour. */
  public record Routing(
      List<String> routes, boolean forceTunnel, boolean nat, boolean clientToClient) {
    public Routing {
      routes = copy(routes);
    }
  }

  /** DNS pushed to clients. */
  public record Dns(List<String> servers, List<String> searchDomains) {
    public Dns {
      servers = copy(servers);
      searchDomains = copy(searchDomains);
    }
  }

  /**
   * The tunnel interface every protocol's clients share.
   *
   * @param mtu the TUN device's MTU: the largest inner packet a session carries (pushed to OpenVPN
   *     clients as tun-mtu, to IKEv2 and SSTP clients as their MTU/MRU)
   */
  public record Tunnel(int mtu) {
    /** The MTU of a 1500-byte path: what every client profile assumes. */
    public static final int DEFAULT_MTU = 1500;
  }

  /**
   * Authentication methods; a null member is a disabled method.
   *
   * @param requireCertificateAndPassword OpenVPN clients must present a valid certificate AND a
   *     password (RADIUS or OIDC); otherwise either method alone admits (as Azure does)
   */
  public record Authentication(
      Certificate certificate, Radius radius, Oidc oidc, boolean requireCertificateAndPassword) {
    /** The same methods with {@code newOidc} as the OIDC settings (null: OIDC off). */
    public Authentication withOidc(Oidc newOidc) {
      return new Authentication(certificate, radius, newOidc, requireCertificateAndPassword);
    }
  }

  /**
   * Certificate authentication.
   *
   * @param trustedRoots file names of extra trusted root CA certificates (PEM)
   * @param revokedThumbprints SHA-1 or SHA-256 thumbprints (hex, upper or lower case, no colons)
   * @param trustedRootsWithGroups the files of {@code trustedRoots} whose certificates' groups
   *     (subject OU) may select an address pool; the built-in CA's always may, other roots' not
   *     unless listed here (absent: none)
   */
  public record Certificate(
      boolean builtInCa,
      List<String> trustedRoots,
      List<RevokedThumbprint> revokedThumbprints,
      List<String> trustedRootsWithGroups) {
    public Certificate {
      trustedRoots = copy(trustedRoots);
      revokedThumbprints = copy(revokedThumbprints);
      trustedRootsWithGroups = copy(trustedRootsWithGroups);
    }

    /** A certificate section where no trusted root's groups select pools. */
    public Certificate(
        boolean builtInCa, List<String> trustedRoots, List<RevokedThumbprint> revokedThumbprints) {
      this(builtInCa, trustedRoots, revokedThumbprints, List.of());
    }
  }

  /** A certificate refused by thumbprint. */
  public record RevokedThumbprint(String name, String thumbprint) {}

  /**
   * RADIUS servers, tried by ascending priority.
   *
   * @param timeoutMillis default wait for one server's answer (a server may set its own)
   * @param retries retransmissions to one server before the next
   * @param groupAttribute {@code Class}, {@code Filter-Id} or {@code Vendor:<id>:<type>}
   * @param passwordProtocol {@code PAP} or {@code MSCHAPv2}: how an OpenVPN password is sent
   * @param requireMessageAuthenticator drop replies without a Message-Authenticator
   * @param accountingInterimIntervalMillis Interim-Update period (0: only when an Access-Accept's
   *     Acct-Interim-Interval asks for one)
   */
  public record Radius(
      List<RadiusServer> servers,
      long timeoutMillis,
      int retries,
      String groupAttribute,
      String passwordProtocol,
      boolean requireMessageAuthenticator,
      long accountingInterimIntervalMillis) {
    /** The shortest Interim-Update period a config may ask for. */
    public static final long MIN_INTERIM_INTERVAL_MILLIS = 5_000;

    public Radius {
      servers = copy(servers);
      passwordProtocol = passwordProtocol == null ? "PAP" : passwordProtocol;
    }
  }

  /**
   * One RADIUS server; {@code secretFile} names the file holding the shared secret.
   *
   * @param accountingPort the Accounting-Request port (0: {@code port + 1})
   * @param timeoutMillis this server's wait for an answer (0: the section's timeout)
   */
  public record RadiusServer(
      String address,
      int port,
      String secretFile,
      int priority,
      int accountingPort,
      long timeoutMillis) {}

  /**
   * OpenID Connect: tokens as the OpenVPN password, and web sign-in when {@code clientId} is set.
   *
   * @param issuerUrl the issuer; discovery and JWKS come from it
   * @param audience required {@code aud} of a token presented as the password
   * @param clientId OAuth client of web sign-in, or null (web sign-in off)
   * @param groupsClaim claim (or dotted path) holding the groups
   * @param allowedGroups when not empty, a token must name one of these
   * @param clientSecretFile file holding a confidential client's secret, or null (public client)
   * @param issuerCaFile file with the PEM roots of the issuer's HTTPS certificate, or null (the
   *     JVM's trust store)
   * @param scopes scopes asked for at web sign-in
   * @param redirectUrl the web sign-in callback as browsers reach it, or null: derived from the
   *     server certificate's first name and {@code callbackPort}
   * @param callbackPort port of the HTTPS sign-in endpoint (0: the default 8443)
   * @param signInTimeoutMillis how long a client waits for web sign-in (0: the default, 5 min)
   * @param clockSkewMillis tolerated clock difference on exp/nbf/iat
   */
  public record Oidc(
      String issuerUrl,
      String audience,
      String clientId,
      String groupsClaim,
      List<String> allowedGroups,
      String clientSecretFile,
      String issuerCaFile,
      List<String> scopes,
      String redirectUrl,
      int callbackPort,
      long signInTimeoutMillis,
      long clockSkewMillis) {
    public static final int DEFAULT_CALLBACK_PORT = 8443;
    public static final long DEFAULT_SIGN_IN_TIMEOUT_MILLIS = 300_000;
    public static final long DEFAULT_CLOCK_SKEW_MILLIS = 60_000;
    public static final long MAX_CLOCK_SKEW_MILLIS = 300_000;

    public Oidc {
      allowedGroups = copy(allowedGroups);
      scopes = copy(scopes);
    }

    /** Token validation only, with the defaults. */
    public Oidc(
        String issuerUrl,
        String audience,
        String clientId,
        String groupsClaim,
        List<String> allowedGroups) {
      this(issuerUrl, audience, clientId, groupsClaim, allowedGroups, null, null, List.of(), null,
          DEFAULT_CALLBACK_PORT, DEFAULT_SIGN_IN_TIMEOUT_MILLIS, DEFAULT_CLOCK_SKEW_MILLIS);
    }

    /** Whether clients may sign in through a browser (openvpn web auth). */
    public boolean webSignIn() {
      return clientId != null && !clientId.isBlank();
    }

    /** The sign-in endpoint's port, defaulted. */
    public int effectiveCallbackPort() {
      return callbackPort == 0 ? DEFAULT_CALLBACK_PORT : callbackPort;
    }
  }

  /**
   * Crypto policy, already resolved from the CR's preset and explicit lists.
   *
   * @param ike IKE proposals in strongSwan notation, e.g. {@code aes256gcm16-prfsha384-ecp384}
   * @param esp ESP proposals in strongSwan notation, e.g. {@code aes256gcm16-ecp384}
   * @param tlsMinVersion {@code 1.2} or {@code 1.3}
   * @param tlsCipherSuites IANA names; empty means the JDK defaults for the versions allowed
   * @param dataCiphers OpenVPN data-channel ciphers in preference order
   */
  public record Crypto(
      String preset,
      List<String> ike,
      List<String> esp,
      String tlsMinVersion,
      List<String> tlsCipherSuites,
      List<String> dataCiphers) {
    public Crypto {
      ike = copy(ike);
      esp = copy(esp);
      tlsCipherSuites = copy(tlsCipherSuites);
      dataCiphers = copy(dataCiphers);
    }
  }

  /** OpenVPN timers and the lifetime of the auth tokens pushed to OpenVPN clients. */
  public record OpenVpn(
      int renegotiateSeconds,
      int keepaliveIntervalSeconds,
      int keepaliveTimeoutSeconds,
      int authTokenLifetimeSeconds) {}

  /**
   * IKEv2 timers and limits (RFC 7296). A document without this section (written before IKEv2 was
   * served) reads as {@link #defaults()}.
   *
   * @param ikeLifetimeSeconds when the gateway rekeys an IKE SA itself (clients usually rekey
   *     first)
   * @param childLifetimeSeconds when the gateway rekeys a CHILD_SA itself
   * @param childLifetimeKilobytes traffic after which a CHILD_SA is rekeyed (0: no limit)
   * @param dpdDelaySeconds idle time after which the gateway checks that a client is alive
   * @param dpdTimeoutSeconds how long a request of the gateway may go unanswered before the
   *     client counts as gone
   * @param fragmentSize largest IKE message sent to clients that support IKE fragmentation (RFC
   *     7383), in octets
   */
  public record Ikev2(
      int ikeLifetimeSeconds,
      int childLifetimeSeconds,
      long childLifetimeKilobytes,
      int dpdDelaySeconds,
      int dpdTimeoutSeconds,
      int fragmentSize) {
    /** Azure's P2S lifetimes (IKE 8 h, IPsec 7.5 h or 100 GB), 30 s DPD, 1280-octet fragments. */
    public static Ikev2 defaults() {
      return new Ikev2(28800, 27000, 102_400_000L, 30, 60, 1280);
    }
  }

  /** The IKEv2 section, or the defaults when the document has none. */
  public Ikev2 ikev2OrDefaults() {
    return ikev2 == null ? Ikev2.defaults() : ikev2;
  }

  /**
   * The management API (metrics, sessions; TLS when {@link Files#managementCertificate} is named)
   * and, on a port of its own, the plain-HTTP probes the kubelet calls.
   *
   * @param port the management API (bearer token, TLS)
   * @param healthPort {@code /healthz}, {@code /livez} and {@code /readyz} only, plain HTTP; 0 for
   *     none (then only the management port answers them)
   */
  public record Management(int port, int healthPort) {}

  /**
   * Names of the files beside the document (in the same directory) that hold keys and
   * certificates. Secret material lives only in these files. {@code managementCertificate} and
   * {@code managementKey} (the management API's TLS certificate, issued by the gateway's CA, and
   * its key) are named together or not at all; a document without them (written before they
   * existed) gets a plain-HTTP management API and a warning in the log.
   */
  public record Files(
      String caCertificate,
      String serverCertificate,
      String serverKey,
      String crl,
      String tlsCryptV2ServerKey,
      String authTokenKey,
      String managementToken,
      String managementCertificate,
      String managementKey) {
    /** The names the operator and {@code vpngw serve -f} use. */
    public static Files defaults() {
      return new Files(
          "ca.crt",
          "server.crt",
          "server.key",
          "crl.pem",
          "tls-crypt-v2-server.key",
          "auth-token.key",
          "management.token",
          "management.crt",
          "management.key");
    }
  }

  /**
   * The enabled protocols as the enum; names the validator refuses (unknown) are left out, so call
   * it on a validated document.
   */
  public Set<VpnProtocol> enabledProtocols() {
    Set<VpnProtocol> enabled = EnumSet.noneOf(VpnProtocol.class);
    for (String p : protocols) {
      VpnProtocol.fromCrName(p).ifPresent(enabled::add);
    }
    return enabled;
  }

  /** Whether {@code protocol} is enabled. */
  public boolean enables(VpnProtocol protocol) {
    return protocols.contains(protocol.crName());
  }

  /** This document with other authentication settings (tests, renderers adding a method). */
  public GatewayConfig withAuthentication(Authentication newAuthentication) {
    return new GatewayConfig(
        version, gateway, protocols, listen, replicas, maxConnections, pools, routing, dns,
        tunnel, newAuthentication, crypto, openvpn, ikev2, management, files);
  }

  /**
   * The settings a running gateway cannot change without a restart (sockets, TUN, pool layout).
   * The operator hashes this into the pod template so only these changes roll the pods.
   */
  public String restartFingerprint() {
    return String.join(
        "|",
        String.valueOf(version),
        String.join(",", protocols),
        listen.toString(),
        String.valueOf(replicas),
        pools.toString(),
        String.valueOf(tunnel == null ? 0 : tunnel.mtu()),
        String.valueOf(management.port()),
        String.valueOf(management.healthPort()));
  }
}
