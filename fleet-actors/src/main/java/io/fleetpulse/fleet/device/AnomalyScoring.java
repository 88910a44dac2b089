package io.fleetpulse.fleet.device;

import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.anomaly.StreamingAnomalyDetector;
import io.fleetpulse.api.profile.DeviceProfile;
import java.util.List;
import java.util.Map;

/**
 * The streaming anomaly detectors of one device: one per metric its profile scores ({@code
 * anomaly-scores}), each learning its metric online from the readings in event-time order. A
 * reading older than its metric's newest is not scored (the detector reads a series once, in
 * order) and is counted as late. The scores of the message being applied wait in {@link #scored}
 * until the device state takes them. Not thread-safe: owned by one actor.
 */
final class AnomalyScoring {

  /** One scored reading: the metric's index in the profile, its score, and the model it is stored as. */
  record Scored(String model, long timestampMillis, StreamingAnomalyDetector.Score score) {}

  private final int[] detectorOfMetric;
  private final String[] models;
  private final StreamingAnomalyDetector[] detectors;
  private final long[] newestMillis;
  private Scored[] scored;
  private int scoredCount;
  private long late;

  AnomalyScoring(DeviceProfile profile, AnomalySettings settings) {
    List<String> metrics = profile.anomalyMetrics();
    this.detectorOfMetric = new int[profile.metrics().size()];
    java.util.Arrays.fill(detectorOfMetric, -1);
    this.models = new String[metrics.size()];
    this.detectors = new StreamingAnomalyDetector[metrics.size()];
    this.newestMillis = new long[metrics.size()];
    this.scored = new Scored[metrics.size()];
    for (int i = 0; i < metrics.size(); i++) {
      detectorOfMetric[profile.indexOf(metrics.get(i))] = i;
      models[i] = DeviceProfile.anomalyModel(metrics.get(i));
      detectors[i] = new StreamingAnomalyDetector(settings);
      newestMillis[i] = Long.MIN_VALUE;
    }
  }

  /** Scores a reading of the metric at {@code metricIndex} if the profile scores it and it is in order. */
  void reading(int metricIndex, long timestampMillis, double value) {
    int detector = detectorOfMetric[metricIndex];
    if (detector < 0) {
      return;
    }
    if (timestampMillis <= newestMillis[detector]) {
      late++;
      return;
    }
    newestMillis[detector] = timestampMillis;
    if (scoredCount == scored.length) {
      scored = java.util.Arrays.copyOf(scored, scored.length * 2); // a message with several readings of a metric
    }
    scored[scoredCount++] = new Scored(models[detector], timestampMillis, detectors[detector].score(value));
  }

  /** The scores of the message just applied, then forgets them. */
  Scored[] drain() {
    if (scoredCount == 0) {
      return NONE;
    }
    Scored[] drained = java.util.Arrays.copyOf(scored, scoredCount);
    java.util.Arrays.fill(scored, null);
    scoredCount = 0;
    return drained;
  }

  private static final Scored[] NONE = new Scored[0];

  /** Readings scored and late readings skipped, for the device view. */
  Map<String, Long> counters() {
    long readings = 0;
    for (StreamingAnomalyDetector detector : detectors) {
      readings += detector.readings();
    }
    return Map.of("scored", readings, "late", late);
  }
}
