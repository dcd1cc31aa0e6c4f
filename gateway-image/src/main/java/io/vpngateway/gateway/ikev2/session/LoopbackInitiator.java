package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.gateway.ikev2.crypto.ChildSaKeys;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.crypto.IkeMessageProtector;
import io.vpngateway.gateway.ikev2.crypto.IkeSaKeys;
import io.vpngateway.gateway.ikev2.crypto.IkeSuite;
import io.vpngateway.gateway.ikev2.crypto.KeyExchange;
import io.vpngateway.gateway.ikev2.crypto.NatDetection;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.crypto.SignatureAuthentication;
import io.vpngateway.gateway.ikev2.message.AuthPayload;
import io.vpngateway.gateway.ikev2.message.CertPayload;
import io.vpngateway.gateway.ikev2.message.ConfigAttribute;
import io.vpngateway.gateway.ikev2.message.ConfigPayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IdPayload;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.IkePayloadCodec;
import io.vpngateway.gateway.ikev2.message.KePayload;
import io.vpngateway.gateway.ikev2.message.NoncePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import io.vpngateway.gateway.ikev2.message.TsPayload;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal IKEv2 initiator (RFC 7296 §1.2: IKE_SA_INIT, IKE_AUTH with a certificate or EAP, one
 * CHILD_SA) built from the gateway's own codec and crypto, to drive the engine in-process: the
 * start-up warm-up ({@link Ikev2Warmup}) runs handshakes with it so the JIT has compiled the
 * responder's path before the first client comes, and the tests use it for cases a real client
 * will not produce (cookies, floods, fragments, broken messages). The real-peer tests use
 * strongSwan; this one only adds coverage.
 */
final class LoopbackInitiator {
  private static final SecureRandom RANDOM = new SecureRandom();

  final long spiI = RANDOM.nextLong() | 1;
  final InetSocketAddress address;
  final InetSocketAddress gateway;
  final List<String> ikeProposals;
  long spiR;
  byte[] ni = new byte[32];
  byte[] nr;
  KeyExchange dh;
  byte[] initRequest;
  byte[] initResponse;
  IkeSuite suite;
  IkeSaKeys keys;
  IkeMessageProtector protector;
  int inboundSpi = RANDOM.nextInt() | 0x100;
  int nextMessageId = 1;

  LoopbackInitiator(InetSocketAddress address, InetSocketAddress gateway, List<String> ikeProposals) {
    this.address = address;
    this.gateway = gateway;
    this.ikeProposals = ikeProposals;
    RANDOM.nextBytes(ni);
  }

  /** IKE_SA_INIT request with a KE of {@code group}, optionally a cookie and fragmentation. */
  byte[] initRequest(DhGroup group, byte[] cookie, boolean fragmentation) {
    dh = group.newKeyExchange();
    List<IkePayload> p = new ArrayList<>();
    if (cookie != null) {
      p.add(NotifyPayload.of(NotifyType.COOKIE, cookie));
    }
    List<Proposal> proposals = new ArrayList<>();
    for (String s : ikeProposals) {
      proposals.add(ProposalPolicy.ike(s).toProposal(proposals.size() + 1, new byte[0], true));
    }
    p.add(new SaPayload(proposals));
    p.add(new KePayload(group.number(), dh.publicValue()));
    p.add(new NoncePayload(ni));
    p.add(NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, NatDetection.hash(spiI, 0, address)));
    p.add(NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP,
        NatDetection.hash(spiI, 0, gateway)));
    if (fragmentation) {
      p.add(NotifyPayload.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    }
    p.add(NotifyPayload.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, new byte[] {0, 2, 0, 3, 0, 4}));
    initRequest =
        new IkeMessage(IkeHeader.of(spiI, 0, 0, ExchangeType.IKE_SA_INIT, true, false, 0), p)
            .encode();
    return initRequest;
  }

  /** Takes the gateway's IKE_SA_INIT answer and derives the IKE SA keys. */
  IkeMessage onInitResponse(byte[] response) throws Exception {
    initResponse = response;
    IkeMessage m = ReceivedIkeMessage.decode(response).clear();
    if (m.firstError().isPresent() || m.notify(NotifyType.COOKIE).isPresent()) {
      return m;
    }
    spiR = m.header().responderSpi();
    suite =
        ProposalPolicy.selectIke(
                ikeProposals.stream().map(ProposalPolicy::ike).toList(),
                m.first(SaPayload.class).orElseThrow().proposals(),
                dh.group().number())
            .orElseThrow()
            .suite();
    nr = m.first(NoncePayload.class).orElseThrow().nonce();
    byte[] shared = dh.sharedSecret(m.first(KePayload.class).orElseThrow().data());
    keys =
        IkeSaKeys.derive(suite, IkeSaKeys.skeyseed(suite.prf(), ni, nr, shared), ni, nr, spiI, spiR);
    protector = IkeMessageProtector.create(suite, keys, true);
    return m;
  }

  /** IKE_AUTH with {@code client}'s certificate, asking for an address and one CHILD_SA. */
  List<IkePayload> authPayloads(IssuedCertificate client, List<String> espProposals)
      throws Exception {
    IdPayload idi =
        new IdPayload(true, IdPayload.ID_DER_ASN1_DN,
            client.certificate().getSubjectX500Principal().getEncoded());
    byte[] octets =
        SignatureAuthentication.signedOctets(initRequest, nr, suite.prf(), keys.skPi(), idi.body());
    List<IkePayload> p = new ArrayList<>();
    p.add(idi);
    p.add(new CertPayload(CertPayload.X509_SIGNATURE, client.certificate().getEncoded()));
    p.add(SignatureAuthentication.sign(client.privateKey(), octets, java.util.Set.of(2, 3, 4)));
    p.add(new ConfigPayload(ConfigPayload.CFG_REQUEST,
        List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
            new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]))));
    List<Proposal> esp = new ArrayList<>();
    byte[] spi = ByteBuffer.allocate(4).putInt(inboundSpi).array();
    for (String s : espProposals) {
      esp.add(ProposalPolicy.esp(s).toProposal(esp.size() + 1, spi, false));
    }
    p.add(new SaPayload(esp));
    p.add(new TsPayload(true, List.of(TrafficSelector.ipv4(0, 0xffffffffL))));
    p.add(new TsPayload(false, List.of(TrafficSelector.ipv4(0, 0xffffffffL))));
    return p;
  }

  /** The first IKE_AUTH of an EAP client (RFC 7296 §2.16): no AUTH, no CERT. */
  List<IkePayload> eapFirstPayloads(String idi, List<String> espProposals) throws Exception {
    List<IkePayload> p = new ArrayList<>();
    p.add(new IdPayload(true, IdPayload.ID_FQDN, idi.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    p.add(new ConfigPayload(ConfigPayload.CFG_REQUEST,
        List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]))));
    List<Proposal> esp = new ArrayList<>();
    byte[] spi = ByteBuffer.allocate(4).putInt(inboundSpi).array();
    for (String s : espProposals) {
      esp.add(ProposalPolicy.esp(s).toProposal(esp.size() + 1, spi, false));
    }
    p.add(new SaPayload(esp));
    p.add(new TsPayload(true, List.of(TrafficSelector.ipv4(0, 0xffffffffL))));
    p.add(new TsPayload(false, List.of(TrafficSelector.ipv4(0, 0xffffffffL))));
    eapIdi = (IdPayload) p.get(0);
    return p;
  }

  IdPayload eapIdi;

  /** The AUTH after EAP-Success: prf(prf(MSK, "Key Pad for IKEv2"), octets), §2.15. */
  AuthPayload micAuth(byte[] msk) {
    byte[] octets =
        SignatureAuthentication.signedOctets(initRequest, nr, suite.prf(), keys.skPi(),
            eapIdi.body());
    return new AuthPayload(AuthPayload.SHARED_KEY_MIC, EapRounds.mic(suite.prf(), msk, octets));
  }

  /** Checks the gateway's AUTH after EAP. */
  boolean gatewayMicMatches(IkeMessage response, byte[] msk) {
    IdPayload idr = response.id(false).orElse(gatewayIdr);
    byte[] octets =
        SignatureAuthentication.signedOctets(initResponse, ni, suite.prf(), keys.skPr(),
            idr.body());
    return java.util.Arrays.equals(EapRounds.mic(suite.prf(), msk, octets),
        response.first(AuthPayload.class).orElseThrow().data());
  }

  IdPayload gatewayIdr;

  /** One protected request in this SA. */
  byte[] request(int exchange, List<IkePayload> payloads) {
    return protector.protect(
        IkeHeader.of(spiI, spiR, 0, exchange, true, false, nextMessageId++), payloads);
  }

  List<byte[]> requestFragmented(int exchange, List<IkePayload> payloads, int size) {
    return protector.protectFragmented(
        IkeHeader.of(spiI, spiR, 0, exchange, true, false, nextMessageId++), payloads, size);
  }

  /** Decrypts one answer (SK only). */
  IkeMessage open(byte[] response) throws Exception {
    ReceivedIkeMessage m = ReceivedIkeMessage.decode(response);
    byte[] plain = protector.open(m);
    return new IkeMessage(m.header(),
        IkePayloadCodec.decode(m.encrypted().firstInnerPayload(), ByteBuffer.wrap(plain), false)
            .payloads());
  }

  /** The CHILD_SA keys of the IKE_AUTH exchange (we initiated it). */
  ChildSaKeys childKeys(EspSuite espSuite) {
    return ChildSaKeys.derive(espSuite, suite.prf(), keys.skD(), null, ni, nr);
  }

  /** Is AUTH in {@code response} the gateway's signature over its IKE_SA_INIT answer? */
  void verifyGatewayAuth(IkeMessage response, java.security.PublicKey gatewayKey)
      throws Exception {
    IdPayload idr = response.id(false).orElseThrow();
    byte[] octets =
        SignatureAuthentication.signedOctets(initResponse, ni, suite.prf(), keys.skPr(),
            idr.body());
    SignatureAuthentication.verify(response.first(AuthPayload.class).orElseThrow(), gatewayKey,
        octets);
  }
}
