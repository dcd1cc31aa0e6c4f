package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * LCP's options (RFC 1661 section 6) as the gateway negotiates them over SSTP.
 *
 * <ul>
 *   <li>Ours: Authentication-Protocol (the first allowed method the peer accepts, following its
 *       Nak), Magic-Number, and Maximum-Receive-Unit when it is not the default 1500.
 *   <li>The peer's: MRU (at least {@link #MIN_MRU}), ACCM (meaningless without HDLC, acked),
 *       Magic-Number (Nak'ed when it equals ours: a looped-back link). Everything else is
 *       rejected, including Protocol- and Address/Control-Field-Compression, so every frame keeps
 *       the plain layout, and an Authentication-Protocol of its own (the server does not
 *       authenticate itself to clients in PPP; TLS did that).
 * </ul>
 */
final class LcpOptions implements CpOptionPolicy {
  static final int MRU = 1;
  static final int ACCM = 2;
  static final int AUTH_PROTOCOL = 3;
  static final int MAGIC_NUMBER = 5;
  static final int MIN_MRU = 576;
  static final int DEFAULT_MRU = 1500;

  private final List<PppAuthMethod> allowed;
  private final int ourMru;
  private final SecureRandom random;
  private PppAuthMethod auth;
  private boolean sendMru;
  private boolean sendMagic = true;
  private long ourMagic;
  private long peerMagic;
  private int peerMru = DEFAULT_MRU;

  /**
   * @param allowed authentication methods in order of preference (at least one)
   * @param ourMru the largest frame we accept
   */
  LcpOptions(List<PppAuthMethod> allowed, int ourMru, SecureRandom random) {
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("PPP needs at least one authentication method");
    }
    this.allowed = List.copyOf(allowed);
    this.auth = allowed.get(0);
    this.ourMru = ourMru;
    this.sendMru = ourMru != DEFAULT_MRU;
    this.random = random;
    this.ourMagic = newMagic();
  }

  PppAuthMethod auth() {
    return auth;
  }

  long ourMagic() {
    return sendMagic ? ourMagic : 0;
  }

  long peerMagic() {
    return peerMagic;
  }

  /** The largest frame the peer accepts. */
  int peerMru() {
    return peerMru;
  }

  @Override
  public List<CpOption> ourRequest() {
    List<CpOption> o = new ArrayList<>();
    if (sendMru) {
      o.add(CpOption.ofNumber(MRU, ourMru, 2));
    }
    o.add(new CpOption(AUTH_PROTOCOL, auth.optionData()));
    if (sendMagic) {
      o.add(CpOption.ofNumber(MAGIC_NUMBER, ourMagic, 4));
    }
    return o;
  }

  @Override
  public Verdict judge(List<CpOption> peer) {
    List<CpOption> reject = new ArrayList<>();
    List<CpOption> nak = new ArrayList<>();
    for (CpOption o : peer) {
      switch (o.type()) {
        case MRU -> {
          if (o.data().length != 2) {
            reject.add(o);
          } else if (o.number() < MIN_MRU) {
            nak.add(CpOption.ofNumber(MRU, MIN_MRU, 2));
          }
        }
        case ACCM -> {
          if (o.data().length != 4) {
            reject.add(o);
          }
        }
        case MAGIC_NUMBER -> {
          if (o.data().length != 4) {
            reject.add(o);
          } else if (o.number() == 0 || (sendMagic && o.number() == ourMagic)) {
            nak.add(CpOption.ofNumber(MAGIC_NUMBER, newMagic(), 4));
          }
        }
        default -> reject.add(o);
      }
    }
    if (!reject.isEmpty()) {
      return new Verdict(CpPacket.CONFIGURE_REJECT, reject);
    }
    if (!nak.isEmpty()) {
      return new Verdict(CpPacket.CONFIGURE_NAK, nak);
    }
    return new Verdict(CpPacket.CONFIGURE_ACK, peer);
  }

  @Override
  public void onPeerRequestAcked(List<CpOption> options) {
    peerMru = DEFAULT_MRU;
    peerMagic = 0;
    for (CpOption o : options) {
      if (o.type() == MRU) {
        peerMru = (int) o.number();
      } else if (o.type() == MAGIC_NUMBER) {
        peerMagic = o.number();
      }
    }
  }

  @Override
  public boolean onNak(List<CpOption> suggested) {
    for (CpOption o : suggested) {
      switch (o.type()) {
        case AUTH_PROTOCOL -> {
          PppAuthMethod wanted = PppAuthMethod.ofOption(o.data());
          if (wanted == null || !allowed.contains(wanted)) {
            // the peer wants a method we do not offer: try the next of ours, if any
            int next = allowed.indexOf(auth) + 1;
            if (next >= allowed.size()) {
              return false;
            }
            auth = allowed.get(next);
          } else {
            auth = wanted;
          }
        }
        case MAGIC_NUMBER -> ourMagic = newMagic();
        case MRU -> sendMru = false;
        default -> {
          // a Nak of an option we did not send is ignored (RFC 1661 section 5.3)
        }
      }
    }
    return true;
  }

  @Override
  public boolean onReject(List<CpOption> rejected) {
    for (CpOption o : rejected) {
      switch (o.type()) {
        case AUTH_PROTOCOL -> {
          return false; // a peer that will not authenticate gets no tunnel
        }
        case MAGIC_NUMBER -> sendMagic = false;
        case MRU -> sendMru = false;
        default -> {
          // not ours
        }
      }
    }
    return true;
  }

  private long newMagic() {
    long m;
    do {
      m = random.nextInt() & 0xffffffffL;
    } while (m == 0);
    return m;
  }
}
