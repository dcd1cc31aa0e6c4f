package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.eaptls.EapTlsServer;
import io.vpngateway.gateway.auth.radius.RadiusEapBackend;
import io.vpngateway.gateway.auth.radius.RadiusMsChapV2Backend;
import io.vpngateway.gateway.auth.radius.RadiusPasswordBackend;
import io.vpngateway.gateway.auth.radius.RadiusService;
import io.vpngateway.gateway.auth.oidc.OidcPasswordAuthenticator;
import io.vpngateway.gateway.auth.oidc.OidcService;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.config.ConfigListener;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds the gateway's {@link AuthenticationPipeline} from the config: the one place where
 * authentication backends are wired. A new backend (RADIUS, OIDC) adds its line here, built from
 * its section of {@code authentication}; every protocol then uses it through the admission.
 */
final class Authentications {
  private static final Logger LOG = Logger.getLogger(Authentications.class.getName());

  private Authentications() {}

  static AuthenticationPipeline pipeline(RuntimeConfig config, CertificateTrust trust) {
    return pipeline(config, trust, null, null);
  }

  static AuthenticationPipeline pipeline(
      RuntimeConfig config, CertificateTrust trust, RadiusService radius, OidcService oidc) {
    return pipeline(config, () -> config, trust, radius, oidc);
  }

  /**
   * The gateway's pipeline on the config in {@code source}, following its reloads (see {@link
   * #pipeline(RuntimeConfig, Supplier, CertificateTrust, RadiusService, OidcService)}), and with
   * the auth-token key of the running config: a reload that replaces {@code authTokenKey}, or turns
   * a password method on or off, rekeys the tokens at once ({@link #authTokenKeyFollower}).
   */
  static AuthenticationPipeline pipeline(
      ConfigSource source, CertificateTrust trust, RadiusService radius, OidcService oidc) {
    AuthenticationPipeline pipeline =
        pipeline(source.current(), source::current, trust, radius, oidc);
    pipeline.authTokens().ifPresent(tokens -> source.addListener(authTokenKeyFollower(tokens)));
    return pipeline;
  }

  /**
   * Rekeys {@code tokens} when a reload changes the key its tokens are MACed with ({@link
   * #tokenKey}): another auth-token key, or another set of password methods on. The key was read
   * at start only, so replacing it (a suspected leak) and reloading left the old key issuing and
   * accepting tokens, without a word, until a restart; and a reload turning RADIUS off (OIDC left)
   * ended the live RADIUS sessions, whose clients came straight back with the token their RADIUS
   * login earned (a token records that a password was proven, not by which method). Now tokens
   * signed before such a reload are refused on every thread from the reload on (no overlap: their
   * clients sign in again, as after a restart), and the log says so once.
   */
  static ConfigListener authTokenKeyFollower(AuthTokens tokens) {
    return (before, after) -> {
      byte[] previous = tokenKey(before).orElse(null);
      byte[] next = tokenKey(after).orElse(null);
      try {
        if (next == null || (previous != null && MessageDigest.isEqual(previous, next))) {
          return; // no key (the tokens keep theirs; see tokenKey), or the same derived key
        }
        tokens.rekey(next);
      } finally {
        if (previous != null) {
          SecretBytes.wipe(previous);
        }
        if (next != null) {
          SecretBytes.wipe(next);
        }
      }
      boolean keyReplaced = !after.authTokenKey().equals(before.authTokenKey()); // constant-time
      LOG.warning(
          (keyReplaced
                  ? "the auth-token key was replaced"
                  : "the password methods on changed (now: " + passwordMethodsOn(after) + ")")
              + ": auth tokens issued before are refused from now on (their clients sign in"
              + " again)");
    };
  }

  /**
   * The key auth tokens are MACed with: HMAC-SHA256 under the configured {@code authTokenKey} of
   * {@code "vpngw auth-token|"} and the sorted names of the password methods on in {@code config}
   * (RADIUS, OIDC), empty without a configured key. The caller wipes it.
   *
   * <p>Why the methods are in it: a token records that its login proved a password, not by which
   * method, so after a reload turned that method off its holder would come back with the token
   * (and be admitted until it expires) although its method is no longer accepted. With the methods
   * in the key, any change of them refuses every token issued before, on every replica with the
   * same config, with no change to the token's format. Read from the config, not from the
   * backends' state: replicas with the same config derive the same key whatever the order their
   * reload listeners ran in (and whatever was on at their start). Turning a method off and on
   * again gives the first key back, so tokens issued before the off are valid again after the on:
   * accepted, since their sessions were ended at the off, and their holders' method is on again
   * (the same user could sign in with it). A certificate-only token is refused too at such a
   * reload; its client signs in again with its certificate.
   */
  static Optional<byte[]> tokenKey(RuntimeConfig config) {
    Optional<SecretBytes> configured = config.authTokenKey();
    if (configured.isEmpty()) {
      return Optional.empty();
    }
    byte[] secret = configured.get().bytes();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return Optional.of(
          mac.doFinal(
              ("vpngw auth-token|" + String.join(",", passwordMethodsOn(config)))
                  .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HMAC-SHA256", e);
    } finally {
      SecretBytes.wipe(secret);
    }
  }

  /**
   * The labels of the password methods {@code config} turns on, sorted: RADIUS with its section;
   * OIDC with its section and OpenVPN on (as {@code OidcService} applies it).
   */
  static SortedSet<String> passwordMethodsOn(RuntimeConfig config) {
    GatewayConfig doc = config.document();
    SortedSet<String> on = new TreeSet<>();
    if (doc.authentication().radius() != null) {
      on.add(AuthMethod.RADIUS.label());
    }
    if (doc.authentication().oidc() != null && doc.enables(VpnProtocol.OpenVPN)) {
      on.add(AuthMethod.OIDC.label());
    }
    return on;
  }

  /**
   * @param radius the RADIUS service when the config has RADIUS at start: its password backend,
   *     EAP relay and MS-CHAPv2 backend (SSTP) join the pipeline (its settings follow reloads; turning RADIUS on later
   *     needs a restart)
   * @param oidc the OIDC service (follows reloads, including turning OIDC on and off), or null
   * @param live the current config: certificate authentication and {@code
   *     requireCertificateAndPassword} follow it (a reload turns them on or off), and so does the
   *     local EAP-TLS server: there whenever the config at start had no RADIUS (and the JVM has a
   *     TLS key exporter), on while certificate authentication is, with the live server
   *     certificate
   */
  static AuthenticationPipeline pipeline(
      RuntimeConfig config,
      Supplier<RuntimeConfig> live,
      CertificateTrust trust,
      RadiusService radius,
      OidcService oidc) {
    GatewayConfig.Authentication auth = config.document().authentication();
    AuthenticationPipeline.Builder b = AuthenticationPipeline.builder();
    // always in the pipeline, on while the running config has it: a reload may turn it on or off
    BooleanSupplier certificatesOn =
        () -> live.get().document().authentication().certificate() != null;
    b.certificates(trust.authenticator(), certificatesOn);
    // OIDC before any other password backend: it takes only JWT-shaped passwords (and, for web
    // sign-in, clients that sent none), which a RADIUS server must never see. It follows the
    // config, so a reload that turns OIDC on or off needs no new pipeline.
    if (oidc != null) {
      b.password(new OidcPasswordAuthenticator(oidc));
    }
    if (radius != null) {
      b.password(new RadiusPasswordBackend(radius));
      b.eap(new RadiusEapBackend(radius));
      b.msChapV2(new RadiusMsChapV2Backend(radius));
    } else {
      // no RADIUS to relay EAP to: the gateway runs EAP-TLS itself against its certificate
      // trust (IKEv2 auth = eap-tls, SSTP's PPP EAP-TLS); with RADIUS, EAP-TLS is the server's.
      // Built even while certificate authentication is off, and on only while it is on, so that
      // a reload turning it on needs no restart (SSTP offers EAP from the start).
      if (EapTlsServer.available()) {
        CertificateAuthenticator whileOn =
            chain -> {
              if (!certificatesOn.getAsBoolean()) {
                throw new AuthenticationException(
                    RefusalReason.CREDENTIALS_MISSING, "certificate authentication is off");
              }
              return trust.authenticator().authenticate(chain);
            };
        b.eap(EapTlsServer.withOwnThreads(new EapTlsContext(live), whileOn), certificatesOn);
      } else if (auth.certificate() != null) {
        LOG.warning(
            "this JVM has no TLS key exporter (Java 25 and later), so the gateway offers no"
                + " EAP-TLS: IKEv2 EAP and SSTP clients cannot authenticate without RADIUS");
      }
    }
    b.requireCertificateAndPassword(
        () -> live.get().document().authentication().requireCertificateAndPassword());
    tokenKey(config)
        .ifPresent(
            secret -> {
              try {
                b.authTokens(
                    new AuthTokens(
                        secret,
                        Duration.ofSeconds(
                            config.document().openvpn().authTokenLifetimeSeconds())));
              } finally {
                SecretBytes.wipe(secret);
              }
            });
    return b.build();
  }

  /**
   * The local EAP-TLS server's TLS side, asking for a client certificate: the gateway's server
   * certificate and TLS policy, rebuilt when a reload brings another config.
   */
  private static final class EapTlsContext implements Supplier<ServerTlsContext> {
    private final Supplier<RuntimeConfig> live;
    private RuntimeConfig builtFor;
    private ServerTlsContext context;

    EapTlsContext(Supplier<RuntimeConfig> live) {
      this.live = live;
    }

    @Override
    public synchronized ServerTlsContext get() {
      RuntimeConfig now = live.get();
      if (now != builtFor) {
        try {
          context = ServerTlsContext.fromConfig(now, ServerTlsContext.ClientCertificates.REQUIRED);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("the server certificate or TLS policy is unusable", e);
        }
        builtFor = now;
      }
      return context;
    }
  }
}
