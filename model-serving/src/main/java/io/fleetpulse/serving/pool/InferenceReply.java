package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ServingSerializable;

/** The pool's answer to one {@link InferencePool.Infer}. Every request gets exactly one. */
public sealed interface InferenceReply extends ServingSerializable
    permits InferenceReply.Prediction, InferenceReply.Overloaded, InferenceReply.Expired, InferenceReply.Failed {

  /**
   * The active version's outputs for this request, in the order of its metadata's outputs.
   *
   * @param queueWaitMicros time between arrival and the start of its batch's run
   * @param batchSize how many requests shared the run
   */
  record Prediction(String model, String version, float[] outputs, long queueWaitMicros, int batchSize)
      implements InferenceReply {}

  /** The model's queue in this lane is full: retry later, skip a cycle or degrade. Nothing was queued. */
  record Overloaded(String model, Lane lane, int queued) implements InferenceReply {}

  /** The request waited past its lane's deadline and was not run. */
  record Expired(String model, Lane lane, long waitedMillis) implements InferenceReply {}

  /**
   * Not run: {@code model.unknown} (no active version), {@code input.invalid} (wrong number of
   * values) or {@code run.failed} (ONNX Runtime failed on the batch).
   */
  record Failed(String model, String code, String message) implements InferenceReply {}
}
