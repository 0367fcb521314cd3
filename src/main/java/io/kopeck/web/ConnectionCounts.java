package io.kopeck.web;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections (and, behind a trusted proxy, requests in flight) counted over every HTTP
 * verticle instance: in all and per client address (SPEC §11, §17). Shared by the instances'
 * {@link ConnectionGuard}s, each on its own event loop.
 */
public final class ConnectionCounts {
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  /** One more in all; false (and nothing counted) when that passes {@code max}. */
  boolean openOne(int max) {
    if (total.incrementAndGet() > max) {
      total.decrementAndGet();
      return false;
    }
    return true;
  }

  void closeOne() {
    total.decrementAndGet();
  }

  /** One more for {@code address}; false (and nothing counted) when that passes {@code max}. */
  boolean take(String address, int max) {
    AtomicInteger count = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      release(address);
      return false;
    }
    return true;
  }

  void release(String address) {
    byAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  /** Open connections in all. */
  public int open() {
    return total.get();
  }
}
