package io.vpngateway.gateway.sstp;

import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.sstp.ppp.crypto.MppeKeyDerivation;
import io.vpngateway.gateway.sstp.ppp.crypto.MppeKeys;
import io.vpngateway.gateway.sstp.ppp.crypto.MsChapV2;
import io.vpngateway.gateway.sstp.ppp.session.MsChapV2Verifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test authenticator behind the MS-CHAPv2 seam: it knows each user's password (as a RADIUS
 * server would know its hash) and answers as RFC 2759 section 5 and RFC 3079 section 3 say.
 */
public final class TestMsChapV2Verifier implements MsChapV2Verifier {
  private final Map<String, String> passwords;
  private final List<String> groups;
  public final AtomicInteger accepted = new AtomicInteger();
  public final AtomicInteger rejected = new AtomicInteger();

  public TestMsChapV2Verifier(Map<String, String> passwords, List<String> groups) {
    this.passwords = Map.copyOf(passwords);
    this.groups = List.copyOf(groups);
  }

  @Override
  public Outcome verify(Attempt a) {
    String user = a.userName();
    int backslash = user.indexOf('\\');
    String plain = backslash >= 0 ? user.substring(backslash + 1) : user;
    String password = passwords.get(plain);
    if (password == null) {
      rejected.incrementAndGet();
      return new Rejected("unknown user");
    }
    byte[] hash = MsChapV2.ntPasswordHash(password);
    byte[] name = plain.getBytes(StandardCharsets.UTF_8);
    byte[] expected =
        MsChapV2.ntResponse(a.authenticatorChallenge(), a.peerChallenge(), name, hash);
    if (!MsChapV2.matches(expected, a.ntResponse())) {
      rejected.incrementAndGet();
      return new Rejected("wrong password");
    }
    MppeKeys keys = MppeKeyDerivation.serverKeys(hash, a.ntResponse());
    accepted.incrementAndGet();
    return new Accepted(
        ClientIdentity.of(plain, groups, io.vpngateway.gateway.auth.AuthMethod.RADIUS, "test"),
        MsChapV2.authenticatorResponse(
            hash, a.ntResponse(), a.peerChallenge(), a.authenticatorChallenge(), name),
        keys.send(),
        keys.receive());
  }
}
