package io.vpngateway.gateway.ikev2.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.ikev2.message.IdPayload;
import java.nio.charset.StandardCharsets;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** IDi as text for the admission's client info, remembered per DN ({@code IkeAuthResponder.dnName}). */
class IdiDescriptionTest {
  private static IdPayload dn(String name) {
    return new IdPayload(true, IdPayload.ID_DER_ASN1_DN, new X500Principal(name).getEncoded());
  }

  @Test
  void aRememberedDnNamesTheBytesItWasGivenEachTime() {
    for (int round = 0; round < 2; round++) {
      assertEquals("CN=alice,O=example", IkeAuthResponder.describe(dn("CN=alice, O=example")));
      assertEquals("CN=bob,O=example", IkeAuthResponder.describe(dn("CN=bob, O=example")));
    }
  }

  @Test
  void aMalformedDnIsNamedAsSuchAndNotRemembered() {
    IdPayload bad = new IdPayload(true, IdPayload.ID_DER_ASN1_DN, new byte[] {0x30, 0x05, 1});
    assertEquals("(malformed DN)", IkeAuthResponder.describe(bad));
    assertEquals("(malformed DN)", IkeAuthResponder.describe(bad));
  }

  @Test
  void namesOtherThanDnsAreTheirText() {
    assertEquals("alice@example.com", IkeAuthResponder.describe(new IdPayload(true,
        IdPayload.ID_RFC822_ADDR, "alice@example.com".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void moreDistinctDnsThanTheBoundStillNameEachCorrectly() {
    for (int i = 0; i < 5000; i++) {
      assertEquals("CN=client-" + i, IkeAuthResponder.describe(dn("CN=client-" + i)));
    }
    assertEquals("CN=client-7", IkeAuthResponder.describe(dn("CN=client-7")));
  }
}
