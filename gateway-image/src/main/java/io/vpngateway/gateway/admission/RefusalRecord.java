package io.vpngateway.gateway.admission;

/**
 * One refused client, as {@code GET /refusals} shows it.
 *
 * @param at ISO-8601 instant
 * @param protocol the CR spelling ({@code OpenVPN}, {@code IKEv2}, {@code SSTP})
 * @param reason the {@code RefusalReason} code, e.g. {@code CertificateRevoked}
 * @param identity the name the client claimed or proved, when known, else empty
 * @param remote the client's IP address
 * @param session the protocol session id
 * @param message the log message (never a secret)
 */
public record RefusalRecord(
    String at,
    String protocol,
    String reason,
    String identity,
    String remote,
    String session,
    String message) {}
