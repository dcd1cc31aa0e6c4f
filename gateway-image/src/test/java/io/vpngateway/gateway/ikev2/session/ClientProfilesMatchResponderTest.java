package io.vpngateway.gateway.ikev2.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pkcs12;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.policy.CryptoPolicy;
import io.vpngateway.api.policy.CryptoPresets;
import io.vpngateway.api.profile.AppleProfileRenderer;
import io.vpngateway.api.profile.ClientProfileInput;
import io.vpngateway.api.profile.SwanctlProfileRenderer;
import io.vpngateway.api.profile.WindowsProfileRenderer;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.message.IdPayload;
import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.Transform;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client profiles a ClientCertificate's Secret carries ask for what this responder accepts,
 * for every crypto preset and both kinds of server certificate (the operator's: CN = its first DNS
 * name; the standalone gateway's: CN = its first endpoint address):
 *
 * <ul>
 *   <li>swanctl.conf: each IKE and ESP proposal is selected by the responder's policy, and its
 *       remote id is bound to the server certificate (the strongSwan client is also proven
 *       end to end, unmodified, by {@code Ikev2CertificateInteropTest});
 *   <li>Apple .mobileconfig: the one IKE and child SA parameter set it carries (with the child's
 *       PFS group used on rekeys), RemoteIdentifier bound to the server certificate and
 *       LocalIdentifier to the client certificate;
 *   <li>Windows PowerShell: the {@code Set-VpnConnectionIPsecConfiguration} choice.
 * </ul>
 */
class ClientProfilesMatchResponderTest {
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw", KeySpec.EC_P256, Instant.now());

  static Stream<Arguments> cases() {
    return Stream.of(CryptoPresets.AZURE_2026, CryptoPresets.STRICT)
        .flatMap(p -> Stream.of(Arguments.of(p, "vpn.example.com"), Arguments.of(p, "192.0.2.10")));
  }

  private static X509Certificate serverCertificate(String endpoint) throws Exception {
    boolean ip = endpoint.matches("[0-9.]+");
    return CA.issueServerCertificate(
            new ServerCertificateRequest(
                endpoint,
                ip ? List.of() : List.of(endpoint),
                ip ? List.of(endpoint) : List.of(),
                KeySpec.EC_P256,
                ServerCertificateRequest.DEFAULT_VALIDITY),
            Instant.now())
        .certificate();
  }

  private static ClientProfileInput input(CryptoPolicy policy, String endpoint,
      IssuedCertificate client) {
    return ClientProfileInput.builder()
        .gatewayName("gw")
        .endpointHost(endpoint)
        .serverName(endpoint)
        .clientName("alice")
        .protocols(Set.of(VpnProtocol.IKEv2))
        .ikePort(500)
        .sstpPort(443)
        .caCertificatePem(client.caCertificatePem())
        .clientCertificatePem(client.certificatePem())
        .clientKeyPem(client.privateKeyPem())
        .pkcs12(Pkcs12.bundle("alice", client.privateKey(), client.certificate(), List.of()))
        .ikeProposals(policy.ike())
        .espProposals(policy.esp())
        .dnsServers(List.of("10.96.0.10"))
        .routes(List.of("10.96.0.0/12"))
        .build();
  }

  @ParameterizedTest(name = "{0} / server {1}")
  @MethodSource("cases")
  void profilesAskForWhatTheResponderAccepts(CryptoPolicy policy, String endpoint)
      throws Exception {
    List<ProposalPolicy> ike = Ikev2Policy.ike(policy.ike());
    List<ProposalPolicy> esp = Ikev2Policy.esp(policy.esp());
    X509Certificate server = serverCertificate(endpoint);
    IssuedCertificate client =
        CA.issueClientCertificate(
            ClientCertificateRequest.of("alice", List.of("engineering"), Duration.ofDays(30),
                KeySpec.EC_P256),
            Instant.now());
    ClientProfileInput in = input(policy, endpoint, client);

    // swanctl.conf
    String swanctl = SwanctlProfileRenderer.render(in).swanctlConf();
    for (String p : listed(swanctl, "proposals")) {
      Proposal offered = ProposalPolicy.ike(p).toProposal(1, new byte[0], true);
      int group = offered.transformsOf(Transform.DH).get(0).id();
      assertTrue(ProposalPolicy.selectIke(ike, List.of(offered), group).isPresent(), "IKE " + p);
    }
    for (String p : listed(swanctl, "esp_proposals")) {
      Proposal offered = ProposalPolicy.esp(p).toProposal(1, new byte[4], true);
      assertTrue(ProposalPolicy.selectEsp(esp, List.of(offered), false, -1).isPresent(), "ESP " + p);
      List<Transform> dh = offered.transformsOf(Transform.DH);
      int g = dh.isEmpty() ? -1 : dh.get(0).id();
      assertTrue(ProposalPolicy.selectEsp(esp, List.of(offered), true, g).isPresent(),
          "ESP rekey " + p);
    }
    String remoteId = value(swanctl, "id");
    assertTrue(IdentityBinding.matches(strongSwanIdentity(remoteId), server),
        "swanctl remote id " + remoteId + " names the server certificate");

    // Apple .mobileconfig
    String apple = AppleProfileRenderer.render(in);
    String ikeSa = dict(apple, "IKESecurityAssociationParameters");
    String childSa = dict(apple, "ChildSecurityAssociationParameters");
    Proposal appleIke = appleProposal(ikeSa, Proposal.IKE);
    int appleGroup = integer(ikeSa, "DiffieHellmanGroup");
    assertTrue(ProposalPolicy.selectIke(ike, List.of(appleIke), appleGroup).isPresent(),
        "Apple IKE " + appleIke);
    Proposal appleEsp = appleProposal(childSa, Proposal.ESP);
    assertTrue(ProposalPolicy.selectEsp(esp, List.of(appleEsp), false, -1).isPresent(),
        "Apple child SA " + appleEsp);
    assertTrue(ProposalPolicy.selectEsp(esp, List.of(appleEsp), true,
            integer(childSa, "DiffieHellmanGroup")).isPresent(),
        "Apple child SA rekey with PFS " + appleEsp);
    assertTrue(IdentityBinding.matches(
            new IdPayload(true, IdPayload.ID_FQDN,
                string(apple, "RemoteIdentifier").getBytes(StandardCharsets.UTF_8)), server),
        "Apple RemoteIdentifier names the server certificate");
    assertTrue(IdentityBinding.matches(
            new IdPayload(true, IdPayload.ID_FQDN,
                string(apple, "LocalIdentifier").getBytes(StandardCharsets.UTF_8)),
            client.certificate()),
        "Apple LocalIdentifier names the client certificate");

    // Windows
    String ps = WindowsProfileRenderer.render(in);
    Matcher w =
        Pattern.compile("Set-VpnConnectionIPsecConfiguration .*-EncryptionMethod (\\S+)"
                + " -IntegrityCheckMethod (\\S+) -DHGroup (\\S+) -CipherTransformConstants (\\S+)"
                + " -AuthenticationTransformConstants (\\S+) -PfsGroup (\\S+)")
            .matcher(ps);
    if (w.find()) {
      Proposal winIke = windowsIke(w.group(1), w.group(2), windowsGroup(w.group(3)));
      assertTrue(ProposalPolicy.selectIke(ike, List.of(winIke), windowsGroup(w.group(3)))
          .isPresent(), "Windows IKE " + w.group());
      Proposal winEsp = windowsEsp(w.group(4), w.group(5), windowsGroup(w.group(6)));
      assertTrue(ProposalPolicy.selectEsp(esp, List.of(winEsp), false, -1).isPresent(),
          "Windows ESP " + w.group());
    } else {
      assertFalse(policy.ike().stream().anyMatch(p -> p.contains("modp2048") || p.contains("ecp")),
          "only a policy Windows cannot express may leave Windows defaults:\n" + ps);
    }
  }

  // ------------------------------------------------------------------ swanctl.conf

  private static List<String> listed(String conf, String key) {
    return List.of(value(conf, key).split(",\\s*"));
  }

  private static String value(String conf, String key) {
    Matcher m = Pattern.compile("(?m)^\\s*" + key + " = \"?([^\"\\n]+)\"?$").matcher(conf);
    assertTrue(m.find(), key + " in\n" + conf);
    return m.group(1).trim();
  }

  /** As strongSwan parses an identity string (swanctl.conf(5) {@code id}). */
  private static IdPayload strongSwanIdentity(String id) throws Exception {
    if (id.matches("[0-9.]+")) {
      return new IdPayload(true, IdPayload.ID_IPV4_ADDR, InetAddress.getByName(id).getAddress());
    }
    if (id.contains("=")) {
      return new IdPayload(true, IdPayload.ID_DER_ASN1_DN,
          new javax.security.auth.x500.X500Principal(id).getEncoded());
    }
    return new IdPayload(true, IdPayload.ID_FQDN, id.getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ Apple

  private static String dict(String plist, String key) {
    int at = plist.indexOf("<key>" + key + "</key>");
    assertTrue(at >= 0, key);
    int start = plist.indexOf("<dict>", at);
    return plist.substring(start, plist.indexOf("</dict>", start));
  }

  private static String string(String plist, String key) {
    Matcher m = Pattern.compile("<key>" + key + "</key>\\s*<string>([^<]*)</string>").matcher(plist);
    assertTrue(m.find(), key);
    return m.group(1);
  }

  private static int integer(String plist, String key) {
    Matcher m =
        Pattern.compile("<key>" + key + "</key>\\s*<integer>(\\d+)</integer>").matcher(plist);
    assertTrue(m.find(), key);
    return Integer.parseInt(m.group(1));
  }

  private static Proposal appleProposal(String dict, int protocol) {
    String enc = string(dict, "EncryptionAlgorithm");
    String integrity = string(dict, "IntegrityAlgorithm");
    int group = integer(dict, "DiffieHellmanGroup");
    boolean gcm = enc.endsWith("GCM");
    int bits = enc.startsWith("AES-128") ? 128 : 256;
    List<Transform> ts = new ArrayList<>();
    ts.add(new Transform(Transform.ENCR,
        gcm ? Transform.ENCR_AES_GCM_16 : Transform.ENCR_AES_CBC, bits));
    String hash = integrity.replace("SHA2-", "").replace("SHA1-96", "1");
    if (protocol == Proposal.IKE) {
      ts.add(new Transform(Transform.PRF, prf(hash)));
    }
    if (!gcm) {
      ts.add(new Transform(Transform.INTEG, integ(hash)));
    }
    ts.add(new Transform(Transform.DH, group));
    return new Proposal(1, protocol, protocol == Proposal.ESP ? new byte[4] : new byte[0], ts);
  }

  // ------------------------------------------------------------------ Windows

  private static int windowsGroup(String name) {
    return switch (name) {
      case "None" -> -1;
      case "Group2", "PFS2" -> 2;
      case "Group14", "PFS2048" -> 14;
      case "Group24", "PFS24" -> 24;
      case "ECP256" -> 19;
      case "ECP384" -> 20;
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static Proposal windowsIke(String enc, String integrity, int group) {
    boolean gcm = enc.startsWith("GCM");
    int bits = enc.endsWith("128") ? 128 : 256;
    String hash = integrity.replace("SHA", "");
    List<Transform> ts = new ArrayList<>();
    ts.add(new Transform(Transform.ENCR,
        gcm ? Transform.ENCR_AES_GCM_16 : Transform.ENCR_AES_CBC, bits));
    ts.add(new Transform(Transform.PRF, prf(hash)));
    if (!gcm) {
      ts.add(new Transform(Transform.INTEG, integ(hash)));
    }
    ts.add(new Transform(Transform.DH, group));
    return new Proposal(1, Proposal.IKE, new byte[0], ts);
  }

  private static Proposal windowsEsp(String cipher, String auth, int pfs) {
    boolean gcm = cipher.startsWith("GCM");
    List<Transform> ts = new ArrayList<>();
    ts.add(new Transform(Transform.ENCR,
        gcm ? Transform.ENCR_AES_GCM_16 : Transform.ENCR_AES_CBC,
        cipher.endsWith("128") ? 128 : 256));
    if (!gcm) {
      ts.add(new Transform(Transform.INTEG,
          auth.equals("SHA196") ? Transform.AUTH_HMAC_SHA1_96 : Transform.AUTH_HMAC_SHA2_256_128));
    }
    if (pfs > 0) {
      ts.add(new Transform(Transform.DH, pfs));
    }
    return new Proposal(1, Proposal.ESP, new byte[4], ts);
  }

  private static int prf(String hash) {
    return switch (hash) {
      case "1" -> Transform.PRF_HMAC_SHA1;
      case "256" -> Transform.PRF_HMAC_SHA2_256;
      case "384" -> Transform.PRF_HMAC_SHA2_384;
      default -> Transform.PRF_HMAC_SHA2_512;
    };
  }

  private static int integ(String hash) {
    return switch (hash) {
      case "1" -> Transform.AUTH_HMAC_SHA1_96;
      case "256" -> Transform.AUTH_HMAC_SHA2_256_128;
      case "384" -> Transform.AUTH_HMAC_SHA2_384_192;
      default -> Transform.AUTH_HMAC_SHA2_512_256;
    };
  }
}
