package io.fleetpulse.fleet;

import com.typesafe.config.Config;
import io.fleetpulse.api.Backoff;
import java.time.Duration;
import java.util.List;

/** Settings of the device actors and the fleet directory ({@code fleetpulse.fleet}), read once. */
public record FleetSettings(Device device, Directory directory) {

  public static final String CONFIG_PATH = "fleetpulse.fleet";

  /**
   * @param aggregationWindows lengths of the sliding windows every metric is summarised over
   * @param bucketsPerWindow slices per window; more slices slide more smoothly and cost memory
   * @param sequenceWindow how many sequence numbers below the highest are remembered for duplicates
   * @param deliveryMemory how accepted messages' delivery ids are remembered, to answer a gateway
   *     retry of one as accepted rather than as a duplicate
   * @param passivationIdleTimeout an actor that received nothing for this long is stopped
   * @param activeEntityLimit the most device actors a node keeps (least recently used passivated beyond); 0: no limit
   * @param askTimeout how long the gateway waits for a device actor's answer
   * @param recentReadings how many ring-buffer rows the device view shows
   * @param inferenceTimeout how long a device waits for an inference pool's answer to one request
   * @param inferenceAttempts requests for one window (the next one goes to another pool) before its
   *     prediction is given up, when pools are busy or do not answer; the only retry of inference
   * @param recovery how a restarted actor rebuilds its state from stored telemetry
   * @param alerts how alert rules report
   * @param role the cluster role of the nodes that host device actors (empty: every node)
   * @param anomaly how the metrics a profile has scored for anomalies are read
   * @param sequenceRestartAfter how many too-old messages in a row, each timed at or after the
   *     newest accepted, restart the sequence window at the device's new counter (0: never)
   */
  public record Device(
      List<Duration> aggregationWindows,
      int bucketsPerWindow,
      int sequenceWindow,
      DeliveryMemory deliveryMemory,
      Duration passivationIdleTimeout,
      int activeEntityLimit,
      Duration askTimeout,
      int recentReadings,
      Duration inferenceTimeout,
      int inferenceAttempts,
      Recovery recovery,
      Alerts alerts,
      String role,
      Anomaly anomaly,
      int sequenceRestartAfter) {
    public Device {
      aggregationWindows = List.copyOf(aggregationWindows);
    }

    /** The longest aggregation window: how far back a recovering actor must read at least. */
    public Duration longestWindow() {
      return aggregationWindows.stream().max(Duration::compareTo).orElseThrow();
    }
  }

  /**
   * @param horizon how long a delivery is remembered: the gateway's ask timeout plus its longest
   *     retry back-off, and some
   * @param capacity the most deliveries one device remembers
   */
  public record DeliveryMemory(Duration horizon, int capacity) {}

  /**
   * @param lookback how much stored telemetry a restarting actor reads back (at least the longest
   *     aggregation window, so the windows come back whole); older messages too while it has fewer
   *     than its profile's ring-buffer-size (so the model windows come back whole)
   * @param maxMessages the most messages it reads back (the newest), bounding memory and time
   * @param stashCapacity messages held while it recovers; beyond, they go unanswered and the
   *     gateway retries them
   * @param retryMinBackoff first wait before reading again when storage failed
   * @param retryMaxBackoff longest wait between reads
   */
  public record Recovery(
      Duration lookback, int maxMessages, int stashCapacity, Duration retryMinBackoff, Duration retryMaxBackoff) {
    /** The wait before reading again after a failed read. */
    public Backoff backoff() {
      return new Backoff(retryMinBackoff, retryMaxBackoff);
    }
  }

  /**
   * @param updateInterval while a rule's condition holds, it updates its alert at most this often
   *     (by event time), unless the severity changes
   */
  public record Alerts(Duration updateInterval) {}

  /**
   * @param detector the streaming anomaly detector ({@code fleetpulse.anomaly.detector})
   * @param reorderHold how long a message ahead of a missing one waits for it (node clock)
   * @param reorderCapacity how many messages wait at most; beyond, the oldest gap is given up
   * @param learningReadings a metric's first readings whose scores are stored but raise no alert
   */
  public record Anomaly(io.fleetpulse.anomaly.AnomalySettings detector, Duration reorderHold, int reorderCapacity,
      int learningReadings) {}

  /** @param askTimeout how long the HTTP API waits for the directory's overview */
  public record Directory(Duration askTimeout) {}

  public static FleetSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Config d = c.getConfig("device");
    Device device =
        new Device(
            d.getDurationList("aggregation-windows"),
            d.getInt("buckets-per-window"),
            d.getInt("sequence-window"),
            new DeliveryMemory(d.getDuration("delivery-memory.horizon"), d.getInt("delivery-memory.capacity")),
            d.getDuration("passivation-idle-timeout"),
            d.getInt("active-entity-limit"),
            d.getDuration("ask-timeout"),
            d.getInt("recent-readings"),
            d.getDuration("inference-timeout"),
            d.getInt("inference-attempts"),
            new Recovery(
                d.getDuration("recovery.lookback"),
                d.getInt("recovery.max-messages"),
                d.getInt("recovery.stash-capacity"),
                d.getDuration("recovery.retry-min-backoff"),
                d.getDuration("recovery.retry-max-backoff")),
            new Alerts(d.getDuration("alerts.update-interval")),
            d.getString("role"),
            new Anomaly(io.fleetpulse.anomaly.AnomalySettings.fromConfig(root), d.getDuration("anomaly-reorder.hold"),
                d.getInt("anomaly-reorder.capacity"), d.getInt("anomaly-learning-readings")),
            d.getInt("sequence-restart-after"));
    if (device.aggregationWindows().isEmpty()) {
      throw new IllegalArgumentException("fleetpulse.fleet.device.aggregation-windows must name at least one window");
    }
    if (device.sequenceRestartAfter() < 0) {
      throw new IllegalArgumentException("fleetpulse.fleet.device.sequence-restart-after must not be negative (0: never)");
    }
    if (device.activeEntityLimit() < 0) {
      throw new IllegalArgumentException("fleetpulse.fleet.device.active-entity-limit must not be negative (0: no limit)");
    }
    if (device.recovery().lookback().compareTo(device.longestWindow()) < 0) {
      throw new IllegalArgumentException("fleetpulse.fleet.device.recovery.lookback (" + device.recovery().lookback()
          + ") must cover the longest aggregation window (" + device.longestWindow() + ")");
    }
    return new FleetSettings(device, new Directory(c.getConfig("directory").getDuration("ask-timeout")));
  }
}
