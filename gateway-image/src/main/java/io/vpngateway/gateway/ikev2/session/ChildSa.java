package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.ChildSaKeys;
import io.vpngateway.gateway.ikev2.crypto.EspDecryptor;
import io.vpngateway.gateway.ikev2.crypto.EspEncryptor;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One CHILD_SA: a pair of ESP SAs in tunnel mode, UDP-encapsulated (RFC 7296 §1.3, RFC 4303, RFC
 * 3948). The data plane uses its crypto from any thread; the IKE control thread owns its life
 * cycle (rekey, delete).
 *
 * @see ChildSaTable
 */
public final class ChildSa {
  private final int inboundSpi;
  private final int outboundSpi;
  private final EspSuite suite;
  private final EspEncryptor encryptor;
  private final EspDecryptor decryptor;
  private final List<TrafficSelector> localSelectors;
  private final List<TrafficSelector> remoteSelectors;
  private final long createdNanos;
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  /** Set when a newer CHILD_SA replaced this one; it only lingers for in-flight packets. */
  volatile boolean rekeyed;
  /** Set when deleted or replaced: it only receives, during its grace ({@link ChildSaTable}). */
  volatile boolean retired;
  /** Packets that authenticated on this SA after it was retired. */
  final LongAdder packetsWhileRetired = new LongAdder();
  /** Set on a CHILD_SA we answered a rekey for: it takes over sending once the peer uses it. */
  volatile boolean promoteOnTraffic;
  volatile Ikev2Session session;
  /** When a refused rekey of ours may be tried again (control thread). */
  long rekeyRetryAtNanos;

  /**
   * @param weInitiatedExchange whether we initiated the exchange that created this SA (which
   *     decides which half of KEYMAT is ours, RFC 7296 §2.17)
   */
  ChildSa(
      int inboundSpi,
      int outboundSpi,
      EspSuite suite,
      ChildSaKeys keys,
      boolean weInitiatedExchange,
      List<TrafficSelector> localSelectors,
      List<TrafficSelector> remoteSelectors,
      long nowNanos)
      throws GeneralSecurityException {
    this.inboundSpi = inboundSpi;
    this.outboundSpi = outboundSpi;
    this.suite = suite;
    if (weInitiatedExchange) {
      encryptor =
          new EspEncryptor(
              outboundSpi, suite, keys.encryptionInitiatorToResponder(),
              keys.integrityInitiatorToResponder());
      decryptor =
          new EspDecryptor(
              inboundSpi, suite, keys.encryptionResponderToInitiator(),
              keys.integrityResponderToInitiator());
    } else {
      encryptor =
          new EspEncryptor(
              outboundSpi, suite, keys.encryptionResponderToInitiator(),
              keys.integrityResponderToInitiator());
      decryptor =
          new EspDecryptor(
              inboundSpi, suite, keys.encryptionInitiatorToResponder(),
              keys.integrityInitiatorToResponder());
    }
    this.localSelectors = List.copyOf(localSelectors);
    this.remoteSelectors = List.copyOf(remoteSelectors);
    this.createdNanos = nowNanos;
  }

  public int inboundSpi() {
    return inboundSpi;
  }

  public int outboundSpi() {
    return outboundSpi;
  }

  public EspSuite suite() {
    return suite;
  }

  public EspEncryptor encryptor() {
    return encryptor;
  }

  public EspDecryptor decryptor() {
    return decryptor;
  }

  /** Our side's selectors (the networks behind the gateway). */
  public List<TrafficSelector> localSelectors() {
    return localSelectors;
  }

  /** The client's side (its inner address). */
  public List<TrafficSelector> remoteSelectors() {
    return remoteSelectors;
  }

  public long createdNanos() {
    return createdNanos;
  }

  public long bytes() {
    return bytesIn.sum() + bytesOut.sum();
  }

  @Override
  public String toString() {
    return String.format("CHILD_SA %08x_i %08x_o %s", inboundSpi, outboundSpi, suite);
  }
}
