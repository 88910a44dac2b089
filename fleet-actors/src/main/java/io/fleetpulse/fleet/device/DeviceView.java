package io.fleetpulse.fleet.device;

import io.fleetpulse.api.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A device's state as the HTTP API shows it: identity, liveness, counters, per-metric aggregates
 * and the most recent readings. An immutable copy made inside the actor. {@code accepted} counts
 * messages this actor accepted since it started; {@code recovered} those it rebuilt its state
 * from (stored before it started); {@code lateForRollups} readings that came after their minute's
 * roll-up was closed and more than the longest aggregation window behind the newest; {@code
 * anomalyScoring} (empty when the profile scores no metric) the readings its anomaly detectors
 * scored, the messages that came too late to be scored in order, the gaps given up and the
 * messages now waiting for a missing one.
 */
public record DeviceView(
    String deviceId,
    String site,
    String profile,
    boolean online,
    Long firstSeenMillis,
    Long lastSeenMillis,
    long accepted,
    long duplicates,
    long recovered,
    long lateForRollups,
    Map<String, Long> rejectsByReason,
    Long highestSequence,
    List<MetricAggregates.View> metrics,
    List<RecentReading> recent,
    List<PredictionView> predictions,
    Map<String, Long> anomalyScoring)
    implements CborSerializable {

  /**
   * The latest prediction of one of the device's models (null fields before the first) and how
   * its runs went: predictions, windows skipped for a missing feature, overloaded, expired, no
   * pool answering (these three are tried again), failed; and now: windows queued to run, and
   * whether one is at a pool ({@code inFlight}, 0 or 1).
   */
  public record PredictionView(
      String model, String version, List<Double> outputs, Long atMillis, Long sequence, java.util.Map<String, Long> runs) {}

  /** One row of the ring buffer: the message time and the values it carried. */
  public record RecentReading(long timestampMillis, Map<String, Double> values) {}
}
