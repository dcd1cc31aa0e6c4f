package io.vpngateway.gateway.sstp.session;

import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.SstpServerStats;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.sstp.ppp.session.PppSession;
import java.net.Inet4Address;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;

/**
 * What every SSTP connection of one server shares: the TLS factory and its policy, PPP settings,
 * authentication backends, the pool, the registry and the data plane's sinks, counters, limits.
 *
 * @param tlsProtocols TLS versions to enable (e.g. {@code TLSv1.3, TLSv1.2})
 * @param tlsCipherSuites suites to enable, or null for the JDK's defaults
 * @param handshakeTimeout how long TLS and the HTTP request may take
 * @param negotiationTimeout how long from connect to Call Connected (MS-SSTP section 3.3.2
 *     negotiation timer; PPP authentication included)
 * @param helloInterval idle time after which an Echo Request is sent; a second one without any
 *     packet from the client aborts the call (section 3.3.2 hello timer)
 * @param admission authentication (the pipeline's MS-CHAPv2 backend), the gateway-wide
 *     maxConnections budget and refusal reporting
 */
public record SstpServerContext(
    SSLSocketFactory tls,
    String[] tlsProtocols,
    String[] tlsCipherSuites,
    SstpCryptoBindingCheck bindingCheck,
    PppSession.Settings ppp,
    Admission admission,
    AddressAllocator allocator,
    SessionRegistry registry,
    Function<Inet4Address, InnerPacketSink> sinks,
    SstpServerStats stats,
    SecureRandom random,
    Duration handshakeTimeout,
    Duration negotiationTimeout,
    Duration helloInterval) {}
