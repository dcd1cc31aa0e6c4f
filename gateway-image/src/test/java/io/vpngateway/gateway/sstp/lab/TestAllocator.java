package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Hands out 10.77.0.2, .3, ... up to a limit; counts leases and releases. */
public final class TestAllocator implements AddressAllocator {
  public final AtomicInteger leased = new AtomicInteger();
  public final AtomicInteger released = new AtomicInteger();
  private final int limit;
  private int next = 2;

  public TestAllocator(int limit) {
    this.limit = limit;
  }

  @Override
  public synchronized Optional<AddressLease> allocate(ClientIdentity client, VpnProtocol protocol) {
    if (leased.get() - released.get() >= limit) {
      return Optional.empty();
    }
    leased.incrementAndGet();
    return Optional.of(
        new AddressLease(address("10.77.0." + next++), 24, address("10.77.0.1"),
            released::incrementAndGet));
  }

  public static Inet4Address address(String dotted) {
    try {
      return (Inet4Address) InetAddress.getByName(dotted);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
