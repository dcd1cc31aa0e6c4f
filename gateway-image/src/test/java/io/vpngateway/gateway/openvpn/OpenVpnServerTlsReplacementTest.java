package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.tls.ServerTlsContext;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reload's new TLS context failing: the error reported is the new settings' own, whether or not
 * the fallback (the previous certificate and policy with the new client certificate mode) works.
 */
class OpenVpnServerTlsReplacementTest {
  private final List<ServerTlsContext> installed = new ArrayList<>();
  private int builds;

  @Test
  void aFailingFallbackDoesNotHideTheNewSettingsError() {
    GeneralSecurityException unusable = new GeneralSecurityException("new key unusable");
    IllegalStateException fallbackFailed = new IllegalStateException("fallback failed too");
    GeneralSecurityException thrown =
        assertThrows(
            GeneralSecurityException.class,
            () ->
                OpenVpnServer.replaceTlsContext(
                    s -> {
                      builds++;
                      if (builds == 1) {
                        throw unusable;
                      }
                      throw fallbackFailed;
                    },
                    installed::add,
                    null,
                    null,
                    true));
    assertSame(unusable, thrown, "the cause the operator must fix");
    assertEquals(List.of(fallbackFailed), List.of(thrown.getSuppressed()));
    assertEquals(2, builds);
    assertEquals(List.of(), installed, "the context in use stays");
  }

  @Test
  void aWorkingFallbackIsInstalledAndTheNewSettingsErrorStillReported() {
    GeneralSecurityException unusable = new GeneralSecurityException("new key unusable");
    assertSame(
        unusable,
        assertThrows(
            GeneralSecurityException.class,
            () ->
                OpenVpnServer.replaceTlsContext(
                    s -> {
                      builds++;
                      if (builds == 1) {
                        throw unusable;
                      }
                      return null; // stands for the previous settings' context, new mode
                    },
                    installed::add,
                    null,
                    null,
                    true)));
    assertEquals(1, installed.size());
    assertEquals(0, unusable.getSuppressed().length);

    builds = 0;
    installed.clear();
    assertThrows(
        GeneralSecurityException.class,
        () ->
            OpenVpnServer.replaceTlsContext(
                s -> {
                  builds++;
                  throw new GeneralSecurityException("x");
                },
                installed::add,
                null,
                null,
                false));
    assertEquals(1, builds, "no fallback when the mode did not change");
    assertEquals(List.of(), installed);
  }
}
