package io.vpngateway.api.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Reads the identity the CA wrote into a client certificate: the subject CN is the user, each
 * subject OU value is one group (RFC 5280 §4.1.2.6 subject; X.520 attribute types). Works for any
 * certificate, so certificates from a bring-your-own root that follow the same convention carry
 * groups too.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /** All OU values of the subject, in DN order (multi-valued RDNs included); empty if none. */
  public static List<String> groupsOf(X509Certificate certificate) {
    return valuesOf(certificate, BCStyle.OU);
  }

  /** The subject CN (the last one if several); empty when the subject has no CN. */
  public static Optional<String> commonNameOf(X509Certificate certificate) {
    List<String> names = valuesOf(certificate, BCStyle.CN);
    return names.isEmpty() ? Optional.empty() : Optional.of(names.get(names.size() - 1));
  }

  private static List<String> valuesOf(X509Certificate certificate, ASN1ObjectIdentifier type) {
    // Parse the DER subject, not the JDK's RFC 2253 string, so commas, '+' and non-ASCII
    // characters in values come back exactly as written.
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    List<String> values = new ArrayList<>();
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (atv.getType().equals(type)) {
          values.add(stringOf(atv));
        }
      }
    }
    return List.copyOf(values);
  }

  private static String stringOf(AttributeTypeAndValue atv) {
    if (atv.getValue() instanceof ASN1String string) {
      return string.getString();
    }
    // Not a string type (never written by this CA): fall back to the RFC 4514 form.
    return IETFUtils.valueToString(atv.getValue());
  }
}
