package io.fleetpulse.api;

import java.time.Duration;

/**
 * The one back-off of FleetPulse: the wait before retry number {@code n} (1 for the first retry)
 * is {@code min} doubled {@code n - 1} times, never more than {@code max}. The gateway's deliveries
 * and dead letters, the device actors' reads of their stored state and the records writer all
 * wait with it, each with bounds from its own configuration.
 */
public record Backoff(Duration min, Duration max) {

  public static final Backoff NONE = new Backoff(Duration.ZERO, Duration.ZERO);

  public Backoff {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("back-off needs 0 <= min <= max, not " + min + " and " + max);
    }
  }

  /** The wait before retry number {@code retry} (1-based; 0 or less is treated as 1). */
  public Duration delay(long retry) {
    int doublings = (int) Math.min(Math.max(retry, 1) - 1, 30);
    long millis = min.toMillis();
    long doubled = millis << doublings;
    return doubled < millis || doubled >= max.toMillis() ? max : Duration.ofMillis(doubled);
  }
}
