package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.util.Optional;

/**
 * A verified reply: its Response Authenticator (and Message-Authenticator where present or
 * required) checked against the request.
 *
 * @param packet the reply
 * @param server the server that sent it (an EAP conversation stays on it: its State means nothing
 *     to another server)
 * @param mppeKeys MS-MPPE-Send/Recv-Key, decrypted, when the reply carried both
 * @param serverNanos time spent waiting for servers in this exchange (all attempts); the rest of
 *     an authentication's time is the gateway's own
 */
public record RadiusResponse(
    RadiusPacket packet,
    RadiusServerEndpoint server,
    Optional<MppeKeys> mppeKeys,
    long serverNanos) {}
