package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.policy.CryptoPresets;
import io.vpngateway.api.v1alpha1.spec.IkePolicy;
import io.vpngateway.api.v1alpha1.spec.IpsecPolicy;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Wait;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every proposal of the seed's tables (the {@code azure-2026} preset: 17 IKE, 11 IPsec) and
 * every one the CR's {@code policies.ike}/{@code policies.ipsec} can express, negotiated at least
 * once with the real strongSwan client: one gateway offering all of them, one charon that asks for
 * exactly one proposal per connection, checks the suite it got and pings through the tunnel. An
 * ESP proposal with a PFS group is also rekeyed, which is when the group is used (RFC 7296 §1.3.3:
 * the IKE_AUTH CHILD_SA has no KE).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ikev2ProposalsInteropTest {
  private Ikev2Lab ikev2;
  private StrongSwanClient client;
  private String profile;

  static List<String> ikeProposals() {
    Set<String> all = new LinkedHashSet<>(CryptoPresets.AZURE_2026.ike());
    for (IkePolicy.Encryption e : IkePolicy.Encryption.values()) {
      for (IkePolicy.Integrity i : IkePolicy.Integrity.values()) {
        for (IkePolicy.DhGroup g : IkePolicy.DhGroup.values()) {
          all.add(CryptoPresets.ikeProposal(new IkePolicy(e, i, g)));
        }
      }
    }
    return List.copyOf(all);
  }

  static List<String> espProposals() {
    Set<String> all = new LinkedHashSet<>(CryptoPresets.AZURE_2026.esp());
    for (IpsecPolicy.Encryption e : IpsecPolicy.Encryption.values()) {
      IpsecPolicy.Integrity i =
          e.name().startsWith("GCM") ? IpsecPolicy.Integrity.None : IpsecPolicy.Integrity.SHA256;
      for (IpsecPolicy.PfsGroup g : IpsecPolicy.PfsGroup.values()) {
        all.add(CryptoPresets.espProposal(new IpsecPolicy(e, i, g)));
      }
    }
    return List.copyOf(all);
  }

  @BeforeAll
  void start() throws Exception {
    ikev2 =
        Ikev2Lab.start(
            "ikeprops",
            "10.98.75.0/24",
            "10.98.76.0/24",
            Ikev2CertificateInteropTest.GATEWAY,
            c -> Ikev2Lab.withProposals(c, ikeProposals(), espProposals()));
    Path issued = ikev2.issue("alice", "ECDSA", List.of("engineering"));
    client = ikev2.client("alice", issued);
    profile = client.config();
  }

  @AfterAll
  void stop() {
    if (ikev2 != null) {
      ikev2.close();
    }
  }

  static Stream<String> ike() {
    return ikeProposals().stream();
  }

  static Stream<String> esp() {
    return espProposals().stream();
  }

  @ParameterizedTest(name = "IKE {0}")
  @MethodSource("ike")
  void ikeProposal(String proposal) throws Exception {
    String sas = connect(proposal, "aes256gcm16");
    assertTrue(sas.contains(strongSwanIkeName(proposal)),
        "expected " + strongSwanIkeName(proposal) + " in\n" + sas);
    pingThrough();
    client.terminate("ikev2");
  }

  @ParameterizedTest(name = "ESP {0}")
  @MethodSource("esp")
  void espProposal(String proposal) throws Exception {
    String sas = connect("aes256gcm16-prfsha384-ecp384", proposal);
    assertTrue(sas.contains("ESP:" + strongSwanEspName(proposal)),
        "expected ESP:" + strongSwanEspName(proposal) + " in\n" + sas);
    pingThrough();
    String group = group(proposal);
    if (group != null) {
      ExecResult rekey = client.swanctl("--rekey", "--child", "ikev2");
      assertTrue(rekey.ok(), rekey.output());
      String after = awaitSas(s -> s.contains("/" + group), sas);
      assertTrue(after.contains("/" + group), "the rekeyed CHILD_SA uses " + group + ":\n" + after);
      pingThrough();
    }
    client.terminate("ikev2");
  }

  private String connect(String ike, String esp) throws Exception {
    client.writeConfig(
        profile
            .replaceFirst("(?m)^(\\s*)proposals = .*$", "$1proposals = " + ike)
            .replaceFirst("(?m)^(\\s*)esp_proposals = .*$", "$1esp_proposals = " + esp));
    client.loadAll();
    client.connect("ikev2", ikev2.gateway());
    return client.listSas();
  }

  private void pingThrough() {
    NetnsLab lab = ikev2.lab();
    PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 2);
    assertTrue(ping.received() >= 1, "ping through the tunnel:\n" + ping.output());
  }

  /** The first SA listing that satisfies {@code condition}, else the last one (the caller asserts). */
  private String awaitSas(java.util.function.Predicate<String> condition, String before) {
    String[] sas = {before};
    try {
      Wait.until("swanctl --list-sas to show the expected SAs", java.time.Duration.ofSeconds(20),
          () -> condition.test(sas[0] = client.listSas()));
    } catch (AssertionError timedOut) {
      // the caller's assertion on the last listing says what was missing
    }
    return sas[0];
  }

  /** strongSwan's name of an IKE suite, as {@code swanctl --list-sas} prints it. */
  static String strongSwanIkeName(String proposal) {
    String[] k = proposal.split("-");
    StringBuilder s = new StringBuilder(cipher(k[0]));
    if (k[1].startsWith("prf")) {
      s.append("/PRF_HMAC_").append(sha(k[1].substring(3)));
    } else {
      s.append("/HMAC_").append(sha(k[1])).append(truncation(k[1]));
      s.append("/PRF_HMAC_").append(sha(k[1]));
    }
    return s.append('/').append(groupName(k[2])).toString();
  }

  static String strongSwanEspName(String proposal) {
    String[] k = proposal.split("-");
    StringBuilder s = new StringBuilder(cipher(k[0]));
    if (k.length > 1 && k[1].startsWith("sha")) {
      s.append("/HMAC_").append(sha(k[1])).append(truncation(k[1]));
    }
    return s.toString();
  }

  private static String cipher(String k) {
    return switch (k) {
      case "aes128" -> "AES_CBC-128";
      case "aes256" -> "AES_CBC-256";
      case "aes128gcm16" -> "AES_GCM_16-128";
      case "aes256gcm16" -> "AES_GCM_16-256";
      default -> throw new IllegalArgumentException(k);
    };
  }

  private static String sha(String k) {
    return k.equals("sha1") ? "SHA1" : "SHA2_" + k.substring(3);
  }

  private static String truncation(String k) {
    return switch (k) {
      case "sha1" -> "_96";
      case "sha256" -> "_128";
      case "sha384" -> "_192";
      default -> "_256";
    };
  }

  static String groupName(String k) {
    return switch (k) {
      case "modp1024" -> "MODP_1024";
      case "modp2048" -> "MODP_2048";
      case "modp2048s256" -> "MODP_2048_256";
      case "ecp256" -> "ECP_256";
      case "ecp384" -> "ECP_384";
      case "curve25519" -> "CURVE_25519";
      default -> throw new IllegalArgumentException(k);
    };
  }

  /** The PFS group of an ESP proposal, in strongSwan's naming, or null. */
  static String group(String esp) {
    String[] k = esp.split("-");
    String last = k[k.length - 1];
    return last.startsWith("modp") || last.startsWith("ecp") || last.startsWith("curve")
        ? groupName(last)
        : null;
  }
}
