package io.fleetpulse.serving;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The inference pool's configuration ({@code fleetpulse.serving}), read once. */
public record ServingSettings(Path registryDirectory, Execution execution, Map<Lane, LaneSettings> lanes) {

  public static final String CONFIG_PATH = "fleetpulse.serving";

  /**
   * @param provider {@code cpu} or {@code cuda}
   * @param strict with {@code cuda}: refuse to start when CUDA cannot be initialised instead of
   *     falling back to CPU
   * @param maxConcurrentBatches batches running at once (ONNX Runtime sessions are shared)
   * @param reservedUrllcSlots of those, slots only the URLLC lane may use, so a flood of large
   *     batches never makes an urgent request wait for a whole run
   */
  public record Execution(
      String provider, int cudaDeviceId, long cudaMemoryLimitBytes, boolean strict, int intraOpThreads,
      int interOpThreads, int maxConcurrentBatches, int reservedUrllcSlots) {}

  /**
   * @param maxBatchSize a batch is dispatched as soon as this many requests wait
   * @param maxQueueDelay or once the oldest request waited this long
   * @param deadline a request not run within this time is answered Expired
   * @param queueCapacity requests waiting per model in this lane; beyond, Overloaded
   */
  public record LaneSettings(int maxBatchSize, Duration maxQueueDelay, Duration deadline, int queueCapacity) {
    public LaneSettings {
      if (maxBatchSize < 1 || queueCapacity < maxBatchSize) {
        throw new IllegalArgumentException("a lane needs max-batch-size >= 1 and queue-capacity >= max-batch-size");
      }
      if (maxQueueDelay.compareTo(deadline) > 0) {
        throw new IllegalArgumentException("a lane's max-queue-delay must not exceed its deadline");
      }
    }
  }

  public static ServingSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Config e = c.getConfig("execution");
    Execution execution = new Execution(
        e.getString("provider"),
        e.getInt("cuda-device-id"),
        e.getBytes("cuda-memory-limit"),
        e.getBoolean("strict"),
        e.getInt("intra-op-threads"),
        e.getInt("inter-op-threads"),
        e.getInt("max-concurrent-batches"),
        e.getInt("reserved-urllc-slots"));
    if (!execution.provider().equals("cpu") && !execution.provider().equals("cuda")) {
      throw new IllegalArgumentException("fleetpulse.serving.execution.provider must be cpu or cuda");
    }
    if (execution.reservedUrllcSlots() >= execution.maxConcurrentBatches()) {
      throw new IllegalArgumentException("reserved-urllc-slots must leave at least one slot for the other lanes");
    }
    Map<Lane, LaneSettings> lanes = new EnumMap<>(Lane.class);
    for (Lane lane : Lane.values()) {
      Config l = c.getConfig("lanes." + lane.configName());
      lanes.put(lane, new LaneSettings(
          l.getInt("max-batch-size"), l.getDuration("max-queue-delay"), l.getDuration("deadline"), l.getInt("queue-capacity")));
    }
    return new ServingSettings(Path.of(c.getString("registry-directory")), execution, Map.copyOf(lanes));
  }
}
