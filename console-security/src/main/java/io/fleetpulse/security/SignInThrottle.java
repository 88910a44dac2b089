package io.fleetpulse.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Failed sign-ins per account and address on this node: past {@code max} within {@code window}
 * of each other, the pair is refused until a window passes without a failure. A successful
 * sign-in forgets the pair's failures. Thread-safe.
 */
final class SignInThrottle {

  private final int max;
  private final Cache<String, Integer> failures;

  SignInThrottle(int max, Duration window) {
    this.max = max;
    this.failures = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).build();
  }

  boolean allows(String key) {
    Integer count = failures.getIfPresent(key);
    return count == null || count < max;
  }

  void failed(String key) {
    failures.asMap().merge(key, 1, Integer::sum);
  }

  void succeeded(String key) {
    failures.invalidate(key);
  }
}
