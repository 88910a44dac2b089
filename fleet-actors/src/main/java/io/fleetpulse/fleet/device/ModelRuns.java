package io.fleetpulse.fleet.device;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.serving.InferenceReply;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model a device runs: which windows are due, the window in the model's feature order, and
 * what came back. A window is named by the message it ends with. Every {@code every} accepted
 * messages the newest window is queued; a message that arrives late (behind newer ones in event
 * order) re-queues the windows already run that it changes, and those that were due before it
 * but found too few rows without it, so every stored prediction is about the window as it really
 * was. A binding with a min-window shorter than its window also runs the windows of a device's
 * first messages, filled at the front with the mean of its first fill-rows messages (see
 * {@link ReadingRing#window(int, int, int, long, long)}). One request per model is in flight at a
 * time; queued windows run one after another as answers come back, so a device's latest window is always predicted, even
 * after its last message. The queue holds at most the ring's capacity (the oldest queued windows
 * are dropped and counted as skippedBehind), and a queued window whose rows newer messages have
 * pushed out of the ring is dropped and counted the same way: the ring's rows beyond the window
 * length are how far a device's windows may fall behind its messages. A window with a missing
 * feature is skipped rather than filled with invented values. Not thread-safe: owned by one actor.
 */
final class ModelRuns {

  /** The metadata threshold a remaining-useful-life model's error spread is read from. */
  static final String RESIDUAL_SD = "residual-sd";

  private final ModelBinding binding;
  private float[] lastOutputs;
  private final int[] featureIndex;
  private final int capacity;
  /** Window ends waiting to run, oldest first, each once. */
  private final LinkedHashSet<Long> queued = new LinkedHashSet<>();
  /**
   * Window ends that may have run, the most recent ones: what a late message may have to re-run.
   * Those this object sent, and after a restart those of the messages read back from storage,
   * whose windows the device's previous actor may have run without a message still on its way
   * (a redelivery, or one that was never stored) when it stopped.
   */
  private final LinkedHashSet<Long> sent = new LinkedHashSet<>();
  /**
   * Window ends that were due while the ring held fewer rows than a window (messages before them
   * still on their way): the late message that completes one queues it. Only a ring that is not
   * yet full can be short of rows, so the set lives only while the ring fills (null before and
   * after: no memory for the device's rest of life).
   */
  private LinkedHashSet<Long> tooShort;
  /** Requests per window before it is given up (fleetpulse.fleet.device.inference-attempts). */
  private final int attempts;

  private int sinceLastQueued;
  private long inFlightEnd = Long.MIN_VALUE;
  private int inFlightAttempt;
  private long retryEnd = Long.MIN_VALUE;
  private int retryAttempt;
  private boolean inFlight;
  private InferenceReply.Prediction last;
  private long lastAtMillis;
  private long lastSequence;
  private long predictions;
  private long skippedIncomplete;
  private long skippedBehind;
  private long overloaded;
  private long expired;
  private long failed;
  private long unavailable;

  ModelRuns(ModelBinding binding, DeviceProfile profile, int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("inference attempts must be at least 1, not " + attempts);
    }
    this.attempts = attempts;
    this.binding = binding;
    this.featureIndex = binding.features().stream().mapToInt(profile::indexOf).toArray();
    this.capacity = Math.max(profile.ringBufferSize(), 1);
  }

  String model() {
    return binding.model();
  }

  /** A window due for the model: its values and the newest message it ends with. */
  record Window(float[] values, long endTimestampMillis, long endSequence) {}

  /**
   * Called after each accepted message with the sequence numbers of the ring's rows newer than it
   * (empty when it came in order).
   */
  void accepted(ReadingRing ring, long sequence, long[] newerRows) {
    if (++sinceLastQueued >= binding.every()) {
      sinceLastQueued = 0;
      queue(sequence);
    }
    // Late: windows that end after it and contain it were run without it, or found too few rows
    // before it came.
    int affected = Math.min(newerRows.length, binding.window() - 1);
    for (int i = 0; i < affected; i++) {
      if (sent.contains(newerRows[i]) || (tooShort != null && tooShort.remove(newerRows[i]))) {
        queue(newerRows[i]);
      }
    }
  }

  /**
   * A message read back from storage while the actor recovers: the device's previous actor may
   * have run its window, perhaps without a message that arrives only now.
   */
  void recovered(long sequence) {
    remember(sent, sequence);
  }

  /** Adds the window end as the newest of a bounded set (the ring's capacity), forgetting the oldest. */
  private void remember(LinkedHashSet<Long> ends, long end) {
    ends.remove(end);
    ends.add(end);
    if (ends.size() > capacity) {
      ends.remove(ends.iterator().next());
    }
  }

  private void queue(long endSequence) {
    queued.remove(endSequence);
    queued.add(endSequence);
    while (queued.size() > capacity) {
      Long oldest = queued.iterator().next();
      queued.remove(oldest);
      skippedBehind++;
    }
  }

  /** The next queued window to run now, unless one is in flight. */
  Optional<Window> next(ReadingRing ring) {
    if (tooShort != null && ring.size() == ring.capacity()) {
      tooShort = null; // a full ring holds every row a window can need from now on
    }
    while (!inFlight && !queued.isEmpty()) {
      Long end = queued.iterator().next();
      queued.remove(end);
      List<ReadingRing.Row> rows =
          ring.window(binding.window(), binding.minWindow(), binding.fillRows(), ModelBinding.FIRST_SEQUENCE, end);
      if (rows.isEmpty()) {
        // Not enough rows yet (the first messages of a device: nothing lost), or the ring, full,
        // no longer holds the whole window: newer messages pushed it out while it queued.
        if (ring.size() == ring.capacity()) {
          skippedBehind++;
        } else {
          if (tooShort == null) {
            tooShort = new LinkedHashSet<>();
          }
          remember(tooShort, end);
        }
        continue;
      }
      float[] values = new float[binding.window() * featureIndex.length];
      int k = 0;
      boolean complete = true;
      for (ReadingRing.Row row : rows) {
        for (int index : featureIndex) {
          float value = row.values()[index];
          if (Float.isNaN(value)) {
            complete = false;
          }
          values[k++] = value;
        }
      }
      if (!complete) {
        skippedIncomplete++;
        continue;
      }
      inFlight = true;
      inFlightEnd = end;
      inFlightAttempt = end == retryEnd ? retryAttempt : 1;
      remember(sent, end);
      ReadingRing.Row newest = rows.get(rows.size() - 1);
      return Optional.of(new Window(values, newest.timestampMillis(), newest.sequence()));
    }
    return Optional.empty();
  }

  /**
   * The prediction's outputs, followed by the probability of failure within the binding's
   * horizon when it has one and the answering version records its {@code residual-sd}.
   */
  private float[] outputs(InferenceReply.Prediction prediction) {
    Double residualSd = prediction.thresholds().get(RESIDUAL_SD);
    if (binding.failureHorizon() == 0 || residualSd == null || !(residualSd > 0) || prediction.outputs().length == 0) {
      return prediction.outputs();
    }
    float[] outputs = java.util.Arrays.copyOf(prediction.outputs(), prediction.outputs().length + 1);
    outputs[outputs.length - 1] =
        (float) FailureProbability.within(binding.failureHorizon(), prediction.outputs()[0], residualSd);
    return outputs;
  }

  /**
   * Takes the pool's answer for the window ending with {@code sequence}; returns a prediction's
   * outputs with what the binding derives from them ({@link #outputs}), or null for any other answer.
   */
  float[] answered(InferenceReply reply, long atMillis, long sequence) {
    inFlight = false;
    if (reply instanceof InferenceReply.Prediction prediction) {
      predictions++;
      last = prediction;
      lastOutputs = outputs(prediction);
      lastAtMillis = atMillis;
      lastSequence = sequence;
      return lastOutputs;
    } else if (reply instanceof InferenceReply.Overloaded) {
      overloaded++;
      retry(sequence);
    } else if (reply instanceof InferenceReply.Expired) {
      expired++;
      retry(sequence);
    } else if (reply instanceof InferenceReply.Failed failure && failure.poolUnavailable()) {
      unavailable++;
      retry(sequence);
    } else {
      failed++;
    }
    return null;
  }

  /**
   * The pool was busy (overloaded, or the deadline passed in its queue) or no pool answered (none
   * visible yet to a node that has just started, or its node left): the window goes back to the
   * head of the queue, up to {@link #attempts} requests in all (the next goes to another pool), so
   * the newest window of a device that then falls silent is still predicted. A pool's refusal or
   * failure (model missing, broken) is not retried. The only retry of inference: the client asks once.
   */
  private void retry(long endSequence) {
    int attempt = endSequence == inFlightEnd ? inFlightAttempt : 1;
    if (attempt >= attempts || queued.contains(endSequence)) {
      return;
    }
    retryEnd = endSequence;
    retryAttempt = attempt + 1;
    LinkedHashSet<Long> reordered = new LinkedHashSet<>();
    reordered.add(endSequence);
    reordered.addAll(queued);
    queued.clear();
    queued.addAll(reordered);
  }

  DeviceView.PredictionView view() {
    return new DeviceView.PredictionView(
        binding.model(),
        last == null ? null : last.version(),
        last == null ? null : toList(lastOutputs),
        last == null ? null : lastAtMillis,
        last == null ? null : lastSequence,
        Map.of("predictions", predictions, "skippedIncomplete", skippedIncomplete, "skippedBehind", skippedBehind,
            "overloaded", overloaded, "expired", expired, "unavailable", unavailable, "failed", failed,
            "queued", (long) queued.size(), "inFlight", inFlight ? 1L : 0L));
  }

  private static List<Double> toList(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return List.of(boxed);
  }
}
