package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
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
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

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
   * the auth-token key of the running config: a reload that replaces {@code authTokenKey} rekeys
   * the tokens at once ({@link #authTokenKeyFollower}).
   */
  static AuthenticationPipeline pipeline(
      ConfigSource source, CertificateTrust trust, RadiusService radius, OidcService oidc) {
    AuthenticationPipeline pipeline =
        pipeline(source.current(), source::current, trust, radius, oidc);
    pipeline.authTokens().ifPresent(tokens -> source.addListener(authTokenKeyFollower(tokens)));
    return pipeline;
  }

  /**
   * Rekeys {@code tokens} when a reload brings another auth-token key. The key was read at start
   * only, so replacing it (a suspected leak) and reloading left the old key issuing and accepting
   * tokens, without a word, until a restart. Now tokens signed with the replaced key are refused
   * on every thread from the reload on (no overlap: the replaced key signs every client out, as a
   * restart did), and the log says so once.
   */
  static ConfigListener authTokenKeyFollower(AuthTokens tokens) {
    return (before, after) -> {
      Optional<SecretBytes> next = after.authTokenKey();
      if (next.isEmpty() || next.equals(before.authTokenKey())) {
        return; // equals is constant-time (SecretBytes)
      }
      byte[] secret = next.get().bytes();
      try {
        tokens.rekey(secret);
      } finally {
        SecretBytes.wipe(secret);
      }
      LOG.warning(
          "the auth-token key was replaced: tokens signed with the previous key are refused from"
              + " now on (their clients sign in again)");
    };
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
    config
        .authTokenKey()
        .ifPresent(
            key -> {
              byte[] secret = key.bytes();
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
