package io.fleetpulse.security;

import java.util.concurrent.ConcurrentHashMap;

/** How many live event streams each identity holds open on this node, up to a limit. Thread-safe. */
public final class StreamLimiter {

  private final int limit;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  StreamLimiter(int limit) {
    this.limit = limit;
  }

  /** Takes one stream for {@code identity}; false when it holds the limit already. */
  public boolean acquire(String identity) {
    boolean[] taken = {false};
    open.compute(identity, (name, count) -> {
      int now = count == null ? 0 : count;
      if (now >= limit) {
        return now;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  public void release(String identity) {
    open.computeIfPresent(identity, (name, count) -> count <= 1 ? null : count - 1);
  }

  public int limit() {
    return limit;
  }
}
