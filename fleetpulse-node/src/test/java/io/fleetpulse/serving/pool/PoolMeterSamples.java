package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.Lane;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * Records one value on each of the inference pool's meters, through the pool's own {@link
 * PoolMetrics}, so a registry exports every name the pool would (the pool registers its meters on
 * first use, per model and lane). In this package because PoolMetrics is the pool's internal.
 */
public final class PoolMeterSamples {

  private PoolMeterSamples() {}

  public static void record(MeterRegistry registry, String model) {
    PoolMetrics metrics = new PoolMetrics(registry);
    for (Lane lane : Lane.values()) {
      metrics.batch(model, lane, 1, Duration.ofMillis(1));
      metrics.queueWait(model, lane, Duration.ofMillis(1));
      metrics.rejected(model, lane, "overloaded");
    }
    metrics.shadowDifference(model, "2", 0.0);
    metrics.notFollowing(model);
  }
}
