package io.fleetpulse.fleet.device;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.serving.pool.InferenceReply;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model a device runs: when its window is due (full, {@code every} accepted messages since
 * the last run, none in flight), the window in the model's feature order, and what came back.
 * A window with a missing feature is skipped rather than filled with invented values. Not
 * thread-safe: owned by one actor.
 */
final class ModelRuns {

  private final ModelBinding binding;
  private final int[] featureIndex;
  private int sinceLastRun;
  private boolean inFlight;
  private InferenceReply.Prediction last;
  private long lastAtMillis;
  private long lastSequence;
  private long predictions;
  private long skippedIncomplete;
  private long overloaded;
  private long expired;
  private long failed;

  ModelRuns(ModelBinding binding, DeviceProfile profile) {
    this.binding = binding;
    this.featureIndex = binding.features().stream().mapToInt(profile::indexOf).toArray();
  }

  String model() {
    return binding.model();
  }

  /** Called after each accepted message; the window to run now, if one is due. */
  Optional<float[]> due(ReadingRing ring) {
    sinceLastRun++;
    if (inFlight || sinceLastRun < binding.every() || ring.size() < binding.window()) {
      return Optional.empty();
    }
    sinceLastRun = 0;
    List<ReadingRing.Row> rows = ring.latest(binding.window());
    float[] values = new float[binding.window() * featureIndex.length];
    int k = 0;
    for (ReadingRing.Row row : rows) {
      for (int index : featureIndex) {
        float value = row.values()[index];
        if (Float.isNaN(value)) {
          skippedIncomplete++;
          return Optional.empty();
        }
        values[k++] = value;
      }
    }
    inFlight = true;
    return Optional.of(values);
  }

  void answered(InferenceReply reply, long atMillis, long sequence) {
    inFlight = false;
    if (reply instanceof InferenceReply.Prediction prediction) {
      predictions++;
      last = prediction;
      lastAtMillis = atMillis;
      lastSequence = sequence;
    } else if (reply instanceof InferenceReply.Overloaded) {
      overloaded++;
    } else if (reply instanceof InferenceReply.Expired) {
      expired++;
    } else {
      failed++;
    }
  }

  DeviceView.PredictionView view() {
    return new DeviceView.PredictionView(
        binding.model(),
        last == null ? null : last.version(),
        last == null ? null : toList(last.outputs()),
        last == null ? null : lastAtMillis,
        last == null ? null : lastSequence,
        Map.of("predictions", predictions, "skippedIncomplete", skippedIncomplete, "overloaded", overloaded,
            "expired", expired, "failed", failed));
  }

  private static List<Double> toList(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return List.of(boxed);
  }
}
