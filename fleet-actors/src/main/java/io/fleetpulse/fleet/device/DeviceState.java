package io.fleetpulse.fleet.device;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live state of one device and the rules that change it, kept apart from the actor so it is
 * testable without an actor system: duplicate detection (which restarts at a reset counter, see
 * {@link SequenceWindow}), per-metric aggregates, per-minute
 * roll-ups, the ring buffer for models, counters. Mutable, owned by exactly one {@link
 * DeviceActor}; readers get a {@link DeviceView} copy.
 *
 * <p>After a restart it is rebuilt by {@link #recover}ing the device's stored telemetry: the same
 * rules applied to the same readings give the same aggregates, sequence window and ring. A
 * recovered message is not counted as accepted (it was counted by the state that crashed); its
 * first live redelivery is confirmed as accepted without being applied twice.
 */
public final class DeviceState {

  private static final long[] IN_ORDER = new long[0];

  private final DeviceIdentity identity;
  private final DeviceProfile profile;
  private final SequenceWindow sequences;
  private final AcceptedDeliveries deliveries;
  private final MetricAggregates[] metrics;
  private final ReadingRing ring;
  private final MinuteRollups rollups;
  private final io.fleetpulse.fleet.alert.AlertRules alertRules;
  /** Signals of the alert rules since the actor last drained them; discarded while recovering. */
  private final List<io.fleetpulse.fleet.alert.AlertSignal> signals = new ArrayList<>(0);
  private final DeviceRecords records;
  private final ModelRuns[] models;
  /** The profile's anomaly detectors; null when it scores no metric (most profiles: no memory spent). */
  private final AnomalyScoring anomalies;
  /**
   * The anomaly scores the recovery replay computed for its newest messages, by sequence number:
   * the live delivery of one stores them, since no actor may have (see {@link #ingest}). Null
   * outside recovery and once the actor says the redeliveries are over ({@link
   * #forgetRecoveredScores}, 30 s after recovery).
   */
  private LinkedHashMap<Long, List<AnomalyScoring.Scored>> recoveredScores;
  /**
   * How many of the newest recovered messages keep their scores: about the messages stored while
   * an actor starts (ten when a replay publishes one series as fast as the node acknowledges), a
   * few KB per device for 30 s.
   */
  private static final int RECOVERED_SCORES = 32;
  /** Rejections by {@link RejectReason} ordinal; null until the first (most devices have none). */
  private long[] rejects;
  private long accepted;
  private long duplicates;
  private long recovered;
  private long firstSeenMillis = -1;
  private long lastSeenMillis = -1;

  public DeviceState(DeviceIdentity identity, DeviceProfile profile, FleetSettings.Device settings) {
    this(identity, profile, settings, DeviceRecords.NONE);
  }

  public DeviceState(DeviceIdentity identity, DeviceProfile profile, FleetSettings.Device settings, DeviceRecords records) {
    this.identity = identity;
    this.records = records;
    this.profile = profile;
    this.sequences = new SequenceWindow(settings.sequenceWindow(), settings.sequenceRestartAfter());
    this.deliveries = new AcceptedDeliveries(settings.deliveryMemory().horizon(), settings.deliveryMemory().capacity());
    List<MetricSpec> specs = profile.metrics();
    this.metrics = new MetricAggregates[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      metrics[i] = new MetricAggregates(specs.get(i).name(), specs.get(i).unit(), settings.aggregationWindows(), settings.bucketsPerWindow());
    }
    this.ring = new ReadingRing(profile.ringBufferSize(), specs.size());
    this.rollups = new MinuteRollups(specs,
        (int) settings.longestWindow().toMinutes(), rollup -> records.rollup(identity, rollup));
    this.models = profile.models().stream().map(binding -> new ModelRuns(binding, profile, settings.inferenceAttempts())).toArray(ModelRuns[]::new);
    this.alertRules = new io.fleetpulse.fleet.alert.AlertRules(profile, settings.alerts().updateInterval());
    this.anomalies = profile.anomalyMetrics().isEmpty() ? null : new AnomalyScoring(profile, settings.anomaly());
  }

  /** The alert rules' signals since the last call, oldest first. */
  public List<io.fleetpulse.fleet.alert.AlertSignal> drainSignals() {
    if (signals.isEmpty()) {
      return List.of();
    }
    List<io.fleetpulse.fleet.alert.AlertSignal> drained = List.copyOf(signals);
    signals.clear();
    return drained;
  }

  public io.fleetpulse.fleet.alert.AlertRules alertRules() {
    return alertRules;
  }

  /**
   * A window due for a model after the latest accepted message, with the newest message it ends
   * with (event time and sequence): a prediction is about that point of the device's life.
   */
  public record InferenceRequest(String model, float[] values, long endTimestampMillis, long endSequence) {}

  /** The model windows to run now: after each accepted message and after each answer. */
  public List<InferenceRequest> dueInferences() {
    List<InferenceRequest> due = new ArrayList<>(0);
    for (ModelRuns model : models) {
      model.next(ring).ifPresent(window -> due.add(
          new InferenceRequest(model.model(), window.values(), window.endTimestampMillis(), window.endSequence())));
    }
    return due;
  }

  /**
   * A model answered the window ending with message {@code sequence} at {@code windowEndMillis};
   * {@code answeredAtMillis} is when (node clock). The record carries the window's event time, so
   * replaying the same telemetry stores the same prediction rows.
   */
  public void inferenceAnswered(
      String model, io.fleetpulse.serving.InferenceReply reply, long answeredAtMillis, long windowEndMillis,
      long sequence) {
    float[] outputs = null;
    for (ModelRuns runs : models) {
      if (runs.model().equals(model)) {
        outputs = runs.answered(reply, answeredAtMillis, sequence);
      }
    }
    if (reply instanceof io.fleetpulse.serving.InferenceReply.Prediction prediction) {
      if (outputs == null) {
        outputs = prediction.outputs(); // a model this profile no longer binds
      }
      alertRules.prediction(model, outputs, windowEndMillis, signals);
      List<Float> values = new ArrayList<>(outputs.length);
      for (float output : outputs) {
        values.add(output);
      }
      records.prediction(identity,
          new DeviceRecords.PredictionRecord(model, prediction.version(), sequence, windowEndMillis, values));
    }
  }

  /**
   * Applies one validated message: counted once, however often the broker redelivers it. A
   * gateway retry of the delivery that got it in is answered accepted again, counted nowhere.
   * Deliveries are remembered by the time the gateway received the message.
   */
  public IngestOutcome ingest(Telemetry telemetry) {
    return ingest(telemetry, telemetry.receivedAtMillis());
  }

  /** {@link #ingest(Telemetry)} at {@code nowMillis} (the actor's clock), from which the delivery is remembered. */
  public IngestOutcome ingest(Telemetry telemetry, long nowMillis) {
    switch (sequences.record(telemetry.sequence(), telemetry.timestampMillis())) {
      case DUPLICATE:
        if (deliveries.contains(telemetry.deliveryId())) {
          return new IngestOutcome.Accepted(identity.deviceId(), telemetry.sequence());
        }
        duplicates++;
        return new IngestOutcome.Duplicate(identity.deviceId(), telemetry.sequence());
      case RECOVERED:
        // Applied from storage after a restart; this delivery is the one the gateway waits on.
        // The message may have been stored while no actor ran (the one that started this actor,
        // those that came while it recovered), so no model has seen its window: run it now, and
        // store the anomaly scores the replay gave it. A redelivery that a previous actor did
        // handle stores the same prediction row again, and its anomaly scores as this actor's
        // detectors, rebuilt from the read-back history, see them. The alert rules saw the scores
        // in the replay and are not fed them twice. The previous actor may also have run the
        // windows of newer messages before this one reached it: they run again, with it.
        long[] newerRows = ring.newerThan(telemetry.sequence());
        for (ModelRuns model : models) {
          model.accepted(ring, telemetry.sequence(), newerRows);
        }
        List<AnomalyScoring.Scored> scores = recoveredScores == null ? null : recoveredScores.remove(telemetry.sequence());
        if (scores != null) {
          scores.forEach(this::storeScore);
        }
        deliveries.remember(telemetry.deliveryId(), nowMillis);
        accepted++;
        return new IngestOutcome.Accepted(identity.deviceId(), telemetry.sequence());
      case TOO_OLD:
        recordRejection(RejectReason.SEQUENCE_TOO_OLD);
        return new IngestOutcome.Rejected(
            identity.deviceId(), telemetry.sequence(), RejectReason.SEQUENCE_TOO_OLD,
            "sequence " + telemetry.sequence() + " is more than the duplicate-detection window behind "
                + sequences.highest().orElse(0));
      default:
        break;
    }
    int newer = apply(telemetry);
    if (anomalies != null) {
      anomalies.accept(telemetry, telemetry.receivedAtMillis());
      anomalyScored();
    }
    if (newer >= 0) {
      long[] newerRows = newer == 0 ? IN_ORDER : ring.newestSequences(newer);
      for (ModelRuns model : models) {
        model.accepted(ring, telemetry.sequence(), newerRows);
      }
    }
    deliveries.remember(telemetry.deliveryId(), nowMillis);
    accepted++;
    return new IngestOutcome.Accepted(identity.deviceId(), telemetry.sequence());
  }

  /**
   * Applies one message read back from storage while the actor recovers, long after it was
   * stored; returns whether it was applied (a message stored twice reads back once).
   */
  public boolean recover(Telemetry telemetry) {
    return recover(telemetry, Long.MAX_VALUE);
  }

  /**
   * Applies one message read back from storage at {@code nowMillis} (the actor's clock) while
   * the actor recovers; returns whether it was applied.
   */
  public boolean recover(Telemetry telemetry, long nowMillis) {
    if (sequences.recover(telemetry.sequence(), telemetry.timestampMillis()) != SequenceWindow.Verdict.NEW) {
      return false;
    }
    apply(telemetry);
    for (ModelRuns model : models) {
      model.recovered(telemetry.sequence());
    }
    if (anomalies != null) {
      // The detectors learn the history again. Its scores were stored the first time, except those
      // of the newest messages, which may have been stored while no actor ran: kept for their
      // live delivery. A message just stored may wait for one whose store had not completed when
      // the history was read (its live delivery is scored and stored as new).
      anomalies.recovered(telemetry, nowMillis);
      for (AnomalyScoring.Scored scored : anomalies.drain()) {
        if (recoveredScores == null) {
          recoveredScores = new LinkedHashMap<>();
        }
        recoveredScores.computeIfAbsent(scored.sequence(), sequence -> new ArrayList<>(1)).add(scored);
        if (recoveredScores.size() > RECOVERED_SCORES) {
          recoveredScores.remove(recoveredScores.keySet().iterator().next());
        }
      }
    }
    // The rules learn the device's recent condition; the actor then reconciles what holds at the
    // end of the replay with the restored open alerts, rather than replaying every signal.
    signals.clear();
    recovered++;
    return true;
  }

  /**
   * The anomaly scores of the message just applied: each goes to the alert rules and is stored as
   * a prediction of model {@code anomaly:<metric>}, outputs [anomaly score, novelty], rounded to
   * float like every stored output (so the rules see what is stored). While the detector is still
   * learning, its scores are stored but raise no alert.
   */
  private void anomalyScored() {
    for (AnomalyScoring.Scored scored : anomalies.drain()) {
      if (!scored.learning()) {
        alertRules.prediction(scored.model(), new float[] {(float) scored.score().anomaly(), (float) scored.score().novelty()},
            scored.timestampMillis(), signals);
      }
      storeScore(scored);
    }
  }

  private void storeScore(AnomalyScoring.Scored scored) {
    records.prediction(identity, new DeviceRecords.PredictionRecord(scored.model(),
        io.fleetpulse.anomaly.AnomalySettings.DETECTOR_VERSION, scored.sequence(), scored.timestampMillis(),
        List.of((float) scored.score().anomaly(), (float) scored.score().novelty())));
  }

  /** Whether the recovery kept anomaly scores for the live delivery of its newest messages. */
  public boolean keepsRecoveredScores() {
    return recoveredScores != null;
  }

  /** The recovered messages' live deliveries are over: their kept scores are dropped. */
  public void forgetRecoveredScores() {
    recoveredScores = null;
  }

  /**
   * Scores the messages that waited for a missing one and have waited long enough (the actor's
   * timer); returns whether some still wait.
   */
  public boolean releaseAnomalyReadings(long nowMillis) {
    if (anomalies == null) {
      return false;
    }
    anomalies.release(nowMillis);
    anomalyScored();
    return anomalies.waiting();
  }

  /** How long after now the actor should release waiting anomaly readings; empty when none wait. */
  public java.util.OptionalLong anomalyReleaseDelayMillis() {
    return anomalies != null && anomalies.waiting() ? java.util.OptionalLong.of(anomalies.holdMillis())
        : java.util.OptionalLong.empty();
  }

  /** Closes the open roll-up minutes: the actor stops or the device went silent. */
  public void closeRollups() {
    rollups.closeAll();
  }

  /** Applies the readings; returns how many ring rows are newer than this message (-1: too old for the ring). */
  private int apply(Telemetry telemetry) {
    float[] row = new float[metrics.length];
    Arrays.fill(row, Float.NaN);
    for (Sample sample : telemetry.samples()) {
      int index = profile.indexOf(sample.metric());
      if (index < 0) {
        continue; // the gateway validated the metric against the same profile
      }
      metrics[index].add(sample.timestampMillis(), sample.value());
      rollups.add(index, sample.timestampMillis(), sample.value());
      alertRules.reading(index, sample.value(), sample.timestampMillis(), signals);
      row[index] = (float) sample.value();
    }
    int newer = ring.add(telemetry.timestampMillis(), telemetry.sequence(), row);
    // Only new messages are activity: a broker redelivering old ones says nothing of the device.
    lastSeenMillis = Math.max(lastSeenMillis, telemetry.receivedAtMillis());
    if (firstSeenMillis < 0 || telemetry.receivedAtMillis() < firstSeenMillis) {
      firstSeenMillis = telemetry.receivedAtMillis();
    }
    return newer;
  }

  public void recordRejection(RejectReason reason) {
    if (rejects == null) {
      rejects = new long[RejectReason.values().length];
    }
    rejects[reason.ordinal()]++;
  }

  public long lastSeenMillis() {
    return lastSeenMillis;
  }

  public DeviceIdentity identity() {
    return identity;
  }

  public ReadingRing ring() {
    return ring;
  }

  public DeviceView view(boolean online, int recentRows) {
    List<MetricAggregates.View> metricViews = new ArrayList<>(metrics.length);
    for (MetricAggregates metric : metrics) {
      metricViews.add(metric.view());
    }
    Map<String, Long> rejectsByCode = new LinkedHashMap<>();
    for (RejectReason reason : RejectReason.values()) {
      if (rejects != null && rejects[reason.ordinal()] > 0) {
        rejectsByCode.put(reason.code(), rejects[reason.ordinal()]);
      }
    }
    List<DeviceView.RecentReading> recent = new ArrayList<>();
    for (ReadingRing.Row row : ring.latest(recentRows)) {
      Map<String, Double> values = new LinkedHashMap<>();
      for (int i = 0; i < metrics.length; i++) {
        if (!Float.isNaN(row.values()[i])) {
          values.put(profile.metrics().get(i).name(), (double) row.values()[i]);
        }
      }
      recent.add(new DeviceView.RecentReading(row.timestampMillis(), values));
    }
    return new DeviceView(
        identity.deviceId(), identity.site(), identity.profile(), online,
        firstSeenMillis < 0 ? null : firstSeenMillis, lastSeenMillis < 0 ? null : lastSeenMillis,
        accepted, duplicates, recovered, rollups.lateReadings(), Map.copyOf(rejectsByCode),
        sequences.highest().isPresent() ? sequences.highest().getAsLong() : null,
        List.copyOf(metricViews), List.copyOf(recent), Arrays.stream(models).map(ModelRuns::view).toList(),
        anomalies == null ? Map.of() : anomalies.counters());
  }
}
