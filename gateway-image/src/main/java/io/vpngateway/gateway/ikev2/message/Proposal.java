package io.vpngateway.gateway.ikev2.message;

import java.util.ArrayList;
import java.util.List;

/**
 * One proposal substructure of an SA payload, RFC 7296 §3.3.1.
 *
 * @param number the proposal number (1 for the first, consecutive)
 * @param protocolId {@link #IKE}, {@link #AH} or {@link #ESP}
 * @param spi the SPI: empty in an initial IKE_SA_INIT, 8 octets for an IKE rekey, 4 for ESP
 * @param transforms the transforms, in the order sent
 */
public record Proposal(int number, int protocolId, byte[] spi, List<Transform> transforms) {
  public static final int IKE = 1;
  public static final int AH = 2;
  public static final int ESP = 3;

  public Proposal {
    spi = spi.clone();
    transforms = List.copyOf(transforms);
  }

  @Override
  public byte[] spi() {
    return spi.clone();
  }

  /** The SPI as an unsigned number (ESP: 4 octets, IKE: 8), 0 when absent. */
  public long spiValue() {
    long v = 0;
    for (byte b : spi) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  /** The transforms of one type, in the order sent. */
  public List<Transform> transformsOf(int type) {
    List<Transform> list = new ArrayList<>();
    for (Transform t : transforms) {
      if (t.type() == type) {
        list.add(t);
      }
    }
    return list;
  }

  int bodyLength() {
    int n = 8 + spi.length;
    for (Transform t : transforms) {
      n += t.bodyLength();
    }
    return n;
  }

  @Override
  public String toString() {
    String proto = protocolId == IKE ? "IKE" : protocolId == ESP ? "ESP" : "P" + protocolId;
    return "#" + number + " " + proto + transforms;
  }
}
