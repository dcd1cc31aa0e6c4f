package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;

/** CRL numbering and inspection (RFC 5280 §5.2.3). */
public final class Crls {
  private Crls() {}

  /** The cRLNumber extension, if present. */
  public static Optional<BigInteger> numberOf(X509CRL crl) {
    byte[] extension = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (extension == null) {
      return Optional.empty();
    }
    try {
      byte[] inner = ASN1OctetString.getInstance(extension).getOctets();
      return Optional.of(ASN1Integer.getInstance(inner).getValue());
    } catch (RuntimeException e) {
      throw new PkiException(
          "malformed cRLNumber extension in CRL of " + crl.getIssuerX500Principal(), e);
    }
  }

  /**
   * The number for the next CRL: greater than the previous one and at least the current Unix time
   * in seconds. The time floor keeps numbers increasing even when the previous CRL was lost (a new
   * Secret, a fresh state directory), as long as the clock does not go back.
   */
  public static BigInteger nextNumber(Optional<X509CRL> previous, Instant now) {
    BigInteger floor = BigInteger.valueOf(now.getEpochSecond());
    BigInteger afterPrevious =
        previous.flatMap(Crls::numberOf).map(n -> n.add(BigInteger.ONE)).orElse(BigInteger.ONE);
    return afterPrevious.max(floor);
  }
}
