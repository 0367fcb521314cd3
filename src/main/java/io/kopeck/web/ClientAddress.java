package io.kopeck.web;

import io.kopeck.common.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * Who sent a request (SPEC §17). Normally the peer of the connection. Behind a load balancer the
 * peer is the balancer, so only when the peer is in TRUSTED_PROXIES is {@code X-Forwarded-For}
 * believed, and then read from the right: each trusted proxy appends the address it saw, so the
 * right-most entry that is not a trusted proxy is the client — entries further left are whatever the
 * client chose to send and are never believed. This address is what YOOKASSA_ALLOWED_IPS, the access
 * log and HTTP_MAX_CONNECTIONS_PER_IP see.
 */
public final class ClientAddress {
  private final List<Cidr> trustedProxies;

  public ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** The client of {@code request}. */
  public String of(HttpServerRequest request) {
    String peer = peer(request.remoteAddress());
    if (!trusted(peer)) {
      return peer;
    }
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || forwarded.isBlank()) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    String client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      client = hops[i].strip();
      if (!trusted(client)) {
        return client;
      }
    }
    return client; // every hop a trusted proxy: the left-most one spoke for the client
  }

  /** Whether connections from {@code peer} carry requests of many clients (a trusted proxy). */
  boolean trusted(String peer) {
    return !trustedProxies.isEmpty() && trustedProxies.stream().anyMatch(network -> network.contains(peer));
  }

  static String peer(SocketAddress address) {
    return address == null || address.hostAddress() == null ? "" : address.hostAddress();
  }
}
