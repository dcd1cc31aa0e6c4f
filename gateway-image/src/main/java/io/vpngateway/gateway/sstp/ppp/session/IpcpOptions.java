package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * IPCP's options (RFC 1332 section 3, DNS of RFC 1877 section 1): the peer gets the address the
 * pool gave it (its request for 0.0.0.0 or any other address is Nak'ed with that one) and the
 * gateway's DNS servers; it can have nothing else (IP-Compression-Protocol, the old IP-Addresses
 * option and NBNS are rejected; so is DNS when the gateway has none to give).
 */
final class IpcpOptions implements CpOptionPolicy {
  static final int IP_ADDRESSES = 1;
  static final int IP_COMPRESSION = 2;
  static final int IP_ADDRESS = 3;
  static final int PRIMARY_DNS = 129;
  static final int SECONDARY_DNS = 131;

  private final byte[] ourAddress;
  private final byte[] peerAddress;
  private final List<byte[]> dns;
  private boolean sendAddress;

  /**
   * @param ourAddress the gateway's address on the link (sent in our request; may be null)
   * @param peerAddress the address assigned to the client
   * @param dns up to two DNS servers to hand out
   */
  IpcpOptions(Inet4Address ourAddress, Inet4Address peerAddress, List<Inet4Address> dns) {
    this.ourAddress = ourAddress == null ? null : ourAddress.getAddress();
    this.sendAddress = ourAddress != null;
    this.peerAddress = peerAddress.getAddress();
    this.dns = dns.stream().limit(2).map(Inet4Address::getAddress).toList();
  }

  @Override
  public List<CpOption> ourRequest() {
    return sendAddress ? List.of(new CpOption(IP_ADDRESS, ourAddress)) : List.of();
  }

  @Override
  public Verdict judge(List<CpOption> peer) {
    List<CpOption> reject = new ArrayList<>();
    List<CpOption> nak = new ArrayList<>();
    for (CpOption o : peer) {
      switch (o.type()) {
        case IP_ADDRESS -> {
          if (o.data().length != 4) {
            reject.add(o);
          } else if (!Arrays.equals(o.data(), peerAddress)) {
            nak.add(new CpOption(IP_ADDRESS, peerAddress));
          }
        }
        case PRIMARY_DNS, SECONDARY_DNS -> {
          int index = o.type() == PRIMARY_DNS ? 0 : 1;
          if (o.data().length != 4 || index >= dns.size()) {
            reject.add(o);
          } else if (!Arrays.equals(o.data(), dns.get(index))) {
            nak.add(new CpOption(o.type(), dns.get(index)));
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
  public boolean onNak(List<CpOption> suggested) {
    // the peer may not renumber the gateway; keep asking (Max-Configure ends a stubborn peer)
    return true;
  }

  @Override
  public boolean onReject(List<CpOption> rejected) {
    for (CpOption o : rejected) {
      if (o.type() == IP_ADDRESS) {
        sendAddress = false;
      }
    }
    return true;
  }
}
