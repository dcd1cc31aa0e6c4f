package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

class AppleProfileRendererTest {
  private static final ProfileFixture F = ProfileFixture.EC;

  @Test
  void profileIsAWellFormedPlistWithRootIdentityAndIkev2Payloads() throws Exception {
    String xml = AppleProfileRenderer.render(F.input().forceTunnel(true).build());
    Map<String, Object> profile = parsePlist(xml);
    assertEquals("Configuration", profile.get("PayloadType"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> payloads = (List<Map<String, Object>>) profile.get("PayloadContent");
    assertEquals(
        List.of("com.apple.security.root", "com.apple.security.pkcs12", "com.apple.vpn.managed"),
        payloads.stream().map(p -> p.get("PayloadType")).toList());

    Map<String, Object> root = payloads.get(0);
    assertEquals(
        Base64.getEncoder().encodeToString(F.ca.certificate().getEncoded()),
        root.get("PayloadContent"));

    Map<String, Object> identity = payloads.get(1);
    KeyStore store = KeyStore.getInstance("PKCS12");
    char[] password = ((String) identity.get("Password")).toCharArray();
    store.load(
        new ByteArrayInputStream(
            Base64.getDecoder().decode((String) identity.get("PayloadContent"))),
        password);
    assertTrue(store.isKeyEntry("alice"));

    Map<String, Object> vpn = payloads.get(2);
    assertEquals("IKEv2", vpn.get("VPNType"));
    @SuppressWarnings("unchecked")
    Map<String, Object> ikev2 = (Map<String, Object>) vpn.get("IKEv2");
    assertEquals("vpn.example.com", ikev2.get("RemoteAddress"));
    assertEquals("vpn.example.com", ikev2.get("RemoteIdentifier"));
    assertEquals("alice", ikev2.get("LocalIdentifier"));
    assertEquals("Certificate", ikev2.get("AuthenticationMethod"));
    assertEquals("ECDSA256", ikev2.get("CertificateType"));
    assertEquals("gw1 VPN CA", ikev2.get("ServerCertificateIssuerCommonName"));
    assertEquals(
        identity.get("PayloadUUID"),
        ikev2.get("PayloadCertificateUUID"),
        "VPN uses the PKCS#12 identity");
    assertEquals(
        Map.of(
            "EncryptionAlgorithm",
            "AES-256-GCM",
            "IntegrityAlgorithm",
            "SHA2-384",
            "DiffieHellmanGroup",
            "20",
            "LifeTimeInMinutes",
            "1440"),
        ikev2.get("IKESecurityAssociationParameters"));
    assertEquals("1", ikev2.get("EnablePFS"));
    @SuppressWarnings("unchecked")
    Map<String, Object> child =
        (Map<String, Object>) ikev2.get("ChildSecurityAssociationParameters");
    assertEquals("AES-256-GCM", child.get("EncryptionAlgorithm"));
    assertEquals("20", child.get("DiffieHellmanGroup"));
    assertEquals(Map.of("OverridePrimary", "1"), vpn.get("IPv4"));
    assertEquals(
        Map.of(
            "ServerAddresses",
            List.of("10.96.0.10"),
            "SearchDomains",
            List.of("default.svc.cluster.local")),
        vpn.get("DNS"));
  }

  @Test
  void pythonPlistlibReadsTheProfile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Prerequisites.requireBinary("python3");
    java.nio.file.Files.writeString(
        dir.resolve("p.mobileconfig"), AppleProfileRenderer.render(F.input().build()));
    // An independent plist parser (CPython's plistlib) must read it and see the same structure.
    var result =
        Commands.run(
            dir,
            "python3",
            "-c",
            "import plistlib; p = plistlib.load(open('p.mobileconfig', 'rb'));"
                + " print([c['PayloadType'] for c in p['PayloadContent']],"
                + " len(p['PayloadContent'][1]['PayloadContent']))");
    assertEquals(0, result.exitCode(), result.output());
    assertEquals(
        "['com.apple.security.root', 'com.apple.security.pkcs12', 'com.apple.vpn.managed'] "
            + F.pkcs12.der().length,
        result.output().strip());
  }

  @Test
  void uuidsAreStableForACertificateAndEscapingHoldsForOddNames() throws Exception {
    var input = F.input().gatewayName("R&D <lab>").clientName("O'Brien & co").build();
    String first = AppleProfileRenderer.render(input);
    String second = AppleProfileRenderer.render(input);
    assertEquals(first, second);
    Map<String, Object> profile = parsePlist(first);
    assertEquals("R&D <lab> VPN (O'Brien & co)", profile.get("PayloadDisplayName"));
    assertTrue(((String) profile.get("PayloadIdentifier")).matches("[A-Za-z0-9.-]+"));
    String other = AppleProfileRenderer.render(F.input().build());
    assertFalse(other.contains((String) profile.get("PayloadUUID")));
  }

  @Test
  void radiusUsesEapWithTheUserName() throws Exception {
    String xml =
        AppleProfileRenderer.render(
            F.input().passwordAuthentication(PasswordAuthentication.RADIUS).build());
    @SuppressWarnings("unchecked")
    var payloads = (List<Map<String, Object>>) parsePlist(xml).get("PayloadContent");
    @SuppressWarnings("unchecked")
    var ikev2 = (Map<String, Object>) payloads.get(2).get("IKEv2");
    assertEquals("None", ikev2.get("AuthenticationMethod"));
    assertEquals("1", ikev2.get("ExtendedAuthEnabled"));
    assertEquals("alice", ikev2.get("AuthName"));
    assertFalse(ikev2.containsKey("PayloadCertificateUUID"));
  }

  /** A small plist reader: dict → Map, array → List, scalars → their text (true/false as names). */
  static Map<String, Object> parsePlist(String xml) throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    factory.setExpandEntityReferences(false);
    var document =
        factory
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    Element plist = document.getDocumentElement();
    assertEquals("plist", plist.getTagName());
    @SuppressWarnings("unchecked")
    Map<String, Object> root = (Map<String, Object>) value(children(plist).get(0));
    return root;
  }

  private static Object value(Element element) {
    switch (element.getTagName()) {
      case "dict" -> {
        Map<String, Object> map = new LinkedHashMap<>();
        List<Element> items = children(element);
        for (int i = 0; i < items.size(); i += 2) {
          assertEquals("key", items.get(i).getTagName());
          assertFalse(
              map.containsKey(items.get(i).getTextContent()),
              "duplicate key " + items.get(i).getTextContent());
          map.put(items.get(i).getTextContent(), value(items.get(i + 1)));
        }
        return map;
      }
      case "array" -> {
        return children(element).stream().map(AppleProfileRendererTest::value).toList();
      }
      case "true", "false" -> {
        return element.getTagName();
      }
      default -> {
        return element.getTextContent();
      }
    }
  }

  private static List<Element> children(Element element) {
    List<Element> children = new ArrayList<>();
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        children.add(e);
      }
    }
    return children;
  }
}
