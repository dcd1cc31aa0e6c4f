/**
 * Client profile renderers: OpenVPN {@code .ovpn}, strongSwan {@code swanctl.conf}, Apple {@code
 * .mobileconfig} and a Windows PowerShell script, all from one {@link
 * io.vpngateway.api.profile.ClientProfileInput}. {@link io.vpngateway.api.profile.ClientSecretData}
 * assembles them with the credentials into the client's Secret. Renderers are pure functions;
 * their output is proven against the real openvpn 2.6 and strongSwan 5.9 in the tests.
 */
package io.vpngateway.api.profile;
