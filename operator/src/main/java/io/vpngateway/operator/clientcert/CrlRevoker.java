package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.operator.gateway.ConfigFiles;
import io.vpngateway.operator.gateway.CrlSecretUpdates;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Adds serials to a gateway's CRL within the revoking reconcile, through {@link CrlSecretUpdates}
 * (fresh read, write conditional on its resourceVersion, again on 409), so neither another
 * revocation nor the gateway's re-signing at CRL renewal can lose the entry. The gateway pods mount
 * the CRL directly, so they reload it without a restart.
 *
 * <p>Revocations of one gateway are written together (group commit): the first reconcile to ask
 * waits {@link #BATCH_WINDOW} for the others that arrive with it (a script revoking a hundred
 * users, a team's certificates deleted at once), then writes every serial asked for so far in one
 * signed CRL, and keeps writing while more arrived during its write; the others wait for the write
 * that holds their serials. One write per batch instead of one per certificate (each a full CRL
 * re-signed and re-sent, each racing the others into 409s), and each write wakes every
 * ClientCertificate of the gateway once, not once per revocation.
 */
final class CrlRevoker {
  /** How long the first revocation waits for others to join its write. */
  static final Duration BATCH_WINDOW = Duration.ofMillis(200);
  /** A reconcile gives up waiting for a write after this (it fails and is retried). */
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The revocations waiting for one gateway's next CRL write. */
  private static final class Lane {
    final List<Request> pending = new ArrayList<>();
    boolean writing;
  }

  private record Request(
      Collection<BigInteger> serials,
      CertificateAuthority ca,
      Duration validity,
      CompletableFuture<X509CRL> written) {}

  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  /**
   * Lists every one of {@code serials} in the CRL (in one write, shared with the revocations of
   * the same gateway that arrive together) and returns when each was revoked.
   */
  Map<BigInteger, Instant> revokeAll(
      KubernetesClient client,
      String namespace,
      String gateway,
      CertificateAuthority ca,
      Collection<BigInteger> serials,
      Duration validity) {
    Request request = new Request(List.copyOf(serials), ca, validity, new CompletableFuture<>());
    Lane lane = lanes.computeIfAbsent(namespace + "/" + gateway, k -> new Lane());
    boolean leader;
    synchronized (lane) {
      lane.pending.add(request);
      leader = !lane.writing;
      lane.writing = true;
    }
    if (leader) {
      writeBatches(client, namespace, gateway, lane);
    }
    X509CRL result = await(request.written());
    Map<BigInteger, Instant> revokedAt = new LinkedHashMap<>();
    for (BigInteger serial : serials) {
      X509CRLEntry entry = result.getRevokedCertificate(serial);
      revokedAt.put(serial, entry.getRevocationDate().toInstant());
    }
    return revokedAt;
  }

  /** The leader's loop: one write per batch until no revocation is waiting. */
  private static void writeBatches(
      KubernetesClient client, String namespace, String gateway, Lane lane) {
    try {
      Thread.sleep(BATCH_WINDOW.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // write at once; the reconcile ends after it
    }
    while (true) {
      List<Request> batch;
      synchronized (lane) {
        if (lane.pending.isEmpty()) {
          lane.writing = false;
          return;
        }
        batch = new ArrayList<>(lane.pending);
        lane.pending.clear();
      }
      try {
        X509CRL crl = write(client, namespace, gateway, batch);
        batch.forEach(r -> r.written().complete(crl));
      } catch (RuntimeException | Error e) {
        batch.forEach(r -> r.written().completeExceptionally(e));
      }
    }
  }

  private static X509CRL write(
      KubernetesClient client, String namespace, String gateway, List<Request> batch) {
    Set<BigInteger> serials = new LinkedHashSet<>();
    batch.forEach(r -> serials.addAll(r.serials()));
    // the newest request's CA and validity: the same for every request unless the CA was
    // replaced in between, and then the new one must sign
    Request last = batch.get(batch.size() - 1);
    Secret written =
        CrlSecretUpdates.update(
            client,
            namespace,
            Names.crlSecret(gateway),
            secret -> {
              Optional<X509CRL> current =
                  SecretData.get(secret, ConfigFiles.CRL_KEY).flatMap(RevocationList::decode);
              Optional<X509CRL> signed =
                  RevocationList.revoke(
                      last.ca(), current, serials, Instant.now(), last.validity());
              if (signed.isEmpty()) {
                return null;
              }
              if (secret.getData() == null) {
                secret.setData(new LinkedHashMap<>());
              }
              secret
                  .getData()
                  .put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(signed.get())));
              return secret;
            });
    return Pem.decodeCrl(SecretData.get(written, ConfigFiles.CRL_KEY).orElseThrow());
  }

  private static X509CRL await(CompletableFuture<X509CRL> written) {
    try {
      return written.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("CRL write failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("CRL write did not finish within " + WAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the CRL write", e);
    }
  }
}
