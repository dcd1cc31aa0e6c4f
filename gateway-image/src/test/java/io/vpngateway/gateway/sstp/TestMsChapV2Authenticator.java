package io.vpngateway.gateway.sstp;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.MsChapV2Authenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.auth.radius.crypto.MsChapV2;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend behind the gateway's MS-CHAPv2 seam ({@link MsChapV2Authenticator}): it knows
 * each user's password (as a RADIUS server knows its hash) and answers as RFC 2759 section 5 and
 * RFC 3079 section 3 say: the authenticator response and the server's MPPE keys.
 */
public final class TestMsChapV2Authenticator implements MsChapV2Authenticator {
  private final Map<String, String> passwords;
  private final List<String> groups;
  public final AtomicInteger accepted = new AtomicInteger();
  public final AtomicInteger rejected = new AtomicInteger();

  public TestMsChapV2Authenticator(Map<String, String> passwords, List<String> groups) {
    this.passwords = Map.copyOf(passwords);
    this.groups = List.copyOf(groups);
  }

  @Override
  public CompletionStage<Result> authenticate(ClientInfo client, Response r) {
    return CompletableFuture.completedFuture(check(r));
  }

  private Result check(Response r) {
    String user = r.userName();
    int backslash = user.indexOf('\\');
    String plain = backslash >= 0 ? user.substring(backslash + 1) : user;
    String password = passwords.get(plain);
    String pw = password == null ? "" : password;
    byte[] expected =
        MsChapV2.ntResponse(r.authenticatorChallenge(), r.peerChallenge(), plain, pw);
    if (password == null || !MessageDigest.isEqual(expected, r.ntResponse())) {
      rejected.incrementAndGet();
      return new Result.Refused(RefusalReason.BAD_CREDENTIALS, "wrong user name or password");
    }
    byte[] master = MsChapV2.masterKey(pw, r.ntResponse());
    accepted.incrementAndGet();
    return new Result.Accepted(
        ClientIdentity.of(plain, groups, AuthMethod.RADIUS, "test"),
        MsChapV2.authenticatorResponse(
            pw, r.ntResponse(), r.peerChallenge(), r.authenticatorChallenge(), plain),
        SecretBytes.of(MsChapV2.asymmetricStartKey(master, true, true)),
        SecretBytes.of(MsChapV2.asymmetricStartKey(master, false, true)));
  }
}
