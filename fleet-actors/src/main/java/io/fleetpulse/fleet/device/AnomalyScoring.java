package io.fleetpulse.fleet.device;

import io.fleetpulse.anomaly.StreamingAnomalyDetector;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streaming anomaly detectors of one device: one per metric its profile scores ({@code
 * anomaly-scores}), each reading its metric once, in the device's message order (sequence
 * numbers), as a detector must. Messages overtake each other on their way to the actor, so a
 * message ahead of a missing one waits until the missing one comes, at most {@code reorderHold}
 * (node clock) and {@code reorderCapacity} messages; then the gap is given up and counted (a
 * device may skip numbers: a message the gateway rejected never comes). The first message after
 * the actor starts waits too, for any that overtook it. A device numbering its messages by
 * timestamp has gaps everywhere: its readings are scored {@code reorderHold} late, in order. A message behind one
 * already scored is not scored (counted as late). Scores wait in {@link #drain} until the device
 * state takes them. Not thread-safe: owned by one actor.
 */
final class AnomalyScoring {

  /**
   * One scored reading: the model it is stored as, the message it came with and its time, and
   * whether the detector was still learning (its first {@code learningReadings} readings).
   */
  record Scored(String model, long sequence, long timestampMillis, StreamingAnomalyDetector.Score score, boolean learning) {}

  private static final long NONE_YET = Long.MIN_VALUE;

  private final DeviceProfile profile;
  private final int[] detectorOfMetric;
  private final String[] models;
  private final StreamingAnomalyDetector[] detectors;
  private final long holdMillis;
  private final int capacity;
  private final int learningReadings;
  /** Messages ahead of a missing one, by sequence number. */
  private final TreeMap<Long, Telemetry> waiting = new TreeMap<>();
  private final List<Scored> scored = new ArrayList<>(0);
  private long nextSequence = NONE_YET;
  private long late;
  private long gaps;

  AnomalyScoring(DeviceProfile profile, FleetSettings.Anomaly settings) {
    this.profile = profile;
    List<String> metrics = profile.anomalyMetrics();
    this.detectorOfMetric = new int[profile.metrics().size()];
    java.util.Arrays.fill(detectorOfMetric, -1);
    this.models = new String[metrics.size()];
    this.detectors = new StreamingAnomalyDetector[metrics.size()];
    for (int i = 0; i < metrics.size(); i++) {
      detectorOfMetric[profile.indexOf(metrics.get(i))] = i;
      models[i] = DeviceProfile.anomalyModel(metrics.get(i));
      detectors[i] = new StreamingAnomalyDetector(settings.detector());
    }
    this.holdMillis = settings.reorderHold().toMillis();
    this.capacity = settings.reorderCapacity();
    this.learningReadings = settings.learningReadings();
  }

  /** A new message of the device (not a duplicate), received at {@code nowMillis}. */
  void accept(Telemetry telemetry, long nowMillis) {
    long sequence = telemetry.sequence();
    if (nextSequence != NONE_YET && sequence < nextSequence) {
      late++;
      return;
    }
    enqueue(telemetry, nowMillis);
  }

  /**
   * A message read back from storage while the actor recovers, in stored order, at {@code
   * nowMillis}. It goes through the same reordering as a live one: the read-back of a device
   * whose messages are being stored as the actor starts can miss one whose store has not
   * completed yet while holding those after it, and that one is then delivered live. Older
   * history has waited longer than the hold: it is scored at once, its gaps given up.
   */
  void recovered(Telemetry telemetry, long nowMillis) {
    if (nextSequence != NONE_YET && telemetry.sequence() < nextSequence) {
      return; // read back twice
    }
    enqueue(telemetry, nowMillis);
  }

  /** Queues a message not behind the order and scores what is due, live or read back alike. */
  private void enqueue(Telemetry telemetry, long nowMillis) {
    waiting.put(telemetry.sequence(), telemetry);
    while (waiting.size() > capacity) {
      skipGap();
      scoreInOrder(); // scores at least the first waiting message: the loop ends
    }
    release(nowMillis);
  }

  /** Scores the waiting messages that are next in order or have waited {@code reorderHold}. */
  void release(long nowMillis) {
    while (!waiting.isEmpty()) {
      Map.Entry<Long, Telemetry> first = waiting.firstEntry();
      if (first.getKey() != nextSequence) {
        if (nowMillis - first.getValue().receivedAtMillis() < holdMillis) {
          return;
        }
        skipGap();
      }
      scoreInOrder();
    }
  }

  /** Scores the waiting messages from the next expected one on, while they follow each other. */
  private void scoreInOrder() {
    while (!waiting.isEmpty() && waiting.firstKey() == nextSequence) {
      Map.Entry<Long, Telemetry> next = waiting.pollFirstEntry();
      nextSequence = next.getKey() + 1;
      score(next.getValue());
    }
  }

  /** Whether messages wait for a missing one: the actor then checks again after {@link #holdMillis}. */
  boolean waiting() {
    return !waiting.isEmpty();
  }

  long holdMillis() {
    return holdMillis;
  }

  /** Gives up waiting for what precedes the first waiting message (at the start: nothing is known to precede it). */
  private void skipGap() {
    if (nextSequence != NONE_YET) {
      gaps++;
    }
    nextSequence = waiting.firstKey();
  }

  private void score(Telemetry telemetry) {
    for (Sample sample : telemetry.samples()) {
      int index = profile.indexOf(sample.metric());
      int detector = index < 0 ? -1 : detectorOfMetric[index];
      if (detector >= 0) {
        StreamingAnomalyDetector.Score score = detectors[detector].score(sample.value());
        scored.add(new Scored(models[detector], telemetry.sequence(), sample.timestampMillis(), score,
            detectors[detector].readings() <= learningReadings));
      }
    }
  }

  /** The scores since the last call, in order, then forgets them. */
  List<Scored> drain() {
    if (scored.isEmpty()) {
      return List.of();
    }
    List<Scored> drained = List.copyOf(scored);
    scored.clear();
    return drained;
  }

  /** Readings scored, messages scored late or given up, for the device view. */
  Map<String, Long> counters() {
    long readings = 0;
    for (StreamingAnomalyDetector detector : detectors) {
      readings += detector.readings();
    }
    return Map.of("scored", readings, "late", late, "gaps", gaps, "waiting", (long) waiting.size());
  }
}
