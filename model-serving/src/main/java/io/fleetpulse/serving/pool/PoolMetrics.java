package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.Lane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The pool's meters, registered in whatever Micrometer registry the node exposes (Prometheus on
 * the node's /metrics): batch sizes, queue wait and run time percentiles per model and lane,
 * rejections and expirations, decisions it could not follow, and how far a shadow version's outputs are from the active one's.
 */
final class PoolMetrics {

  private final MeterRegistry registry;

  PoolMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void batch(String model, Lane lane, int size, Duration run) {
    DistributionSummary.builder("fleetpulse.inference.batch.size")
        .description("requests per ONNX Runtime run")
        .tags("model", model, "lane", lane.configName())
        .publishPercentiles(0.5, 0.99)
        .publishPercentileHistogram()
        .register(registry)
        .record(size);
    Timer.builder("fleetpulse.inference.run")
        .description("ONNX Runtime time per batch")
        .tags("model", model, "lane", lane.configName())
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(run);
  }

  void queueWait(String model, Lane lane, Duration wait) {
    Timer.builder("fleetpulse.inference.queue.wait")
        .description("time from arrival to the start of the request's run")
        .tags("model", model, "lane", lane.configName())
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(wait);
  }

  void rejected(String model, Lane lane, String reason) {
    Counter.builder("fleetpulse.inference.rejected")
        .description("requests not run: overloaded, expired, failed")
        .tags("model", model, "lane", lane.configName(), "reason", reason)
        .register(registry)
        .increment();
  }

  void shadowDifference(String model, String shadowVersion, double meanAbsoluteDifference) {
    DistributionSummary.builder("fleetpulse.inference.shadow.difference")
        .description("mean absolute difference between shadow and active outputs per batch")
        .tags("model", model, "version", shadowVersion)
        .register(registry)
        .record(meanAbsoluteDifference);
  }

  void notFollowing(String model) {
    Counter.builder("fleetpulse.inference.decisions.not.followed")
        .description("cluster decisions on a model this pool could not follow (a version that would not load or is not admitted here)")
        .tags("model", model)
        .register(registry)
        .increment();
  }
}
