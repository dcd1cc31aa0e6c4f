package io.vpngateway.gateway.auth.oidc;

/** A web sign-in could not start. */
public final class SignInException extends Exception {
  private final WebSignIn.Failure failure;

  public SignInException(WebSignIn.Failure failure, String message) {
    super(message);
    this.failure = failure;
  }

  public WebSignIn.Failure failure() {
    return failure;
  }
}
