/**
 * IKEv2/IPsec remote access in user space: an IKEv2 responder (RFC 7296) with certificate
 * authentication (RFC 7427 signatures), configuration payloads, traffic selector narrowing, cookies
 * (§2.6), IKE fragmentation (RFC 7383), rekeying, DPD and delete notifications, and ESP (RFC 4303)
 * encapsulated in UDP (RFC 3948) into the gateway's TUN data plane, since neither the pod nor this
 * kernel needs kernel ESP.
 *
 * <ul>
 *   <li>{@code message}: immutable codecs of the IKE header and payloads;
 *   <li>{@code crypto}: key derivation, IKE message protection and ESP, built from the negotiated
 *       transforms;
 *   <li>{@code session}: the engine and one handler per exchange (IKE_SA_INIT, IKE_AUTH,
 *       CREATE_CHILD_SA, INFORMATIONAL) plus the exchanges the gateway starts itself;
 *   <li>{@code transport}: the UDP 500/4500 sockets;
 *   <li>{@code exception}: typed errors carrying the RFC 7296 notify type to answer with.
 * </ul>
 */
package io.vpngateway.gateway.ikev2;
