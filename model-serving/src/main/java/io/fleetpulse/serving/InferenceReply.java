package io.fleetpulse.serving;

/**
 * The pool's answer to one {@link io.fleetpulse.serving.pool.InferencePool.Infer}. Every request
 * gets exactly one. Part of the module's public surface (with {@link Lane} and the settings): the
 * device actors read it without importing the pool's implementation package.
 */
public sealed interface InferenceReply extends ServingSerializable
    permits InferenceReply.Prediction, InferenceReply.Overloaded, InferenceReply.Expired, InferenceReply.Failed {

  /**
   * The active version's outputs for this request, in the order of its metadata's outputs.
   *
   * @param queueWaitMicros time between arrival and the start of its batch's run
   * @param batchSize how many requests shared the run
   * @param thresholds the version's metadata thresholds (how to read its outputs, e.g. its
   *     {@code residual-sd}), so callers interpret each answer with the version that gave it
   */
  record Prediction(
      String model, String version, float[] outputs, long queueWaitMicros, int batchSize,
      java.util.Map<String, Double> thresholds) implements InferenceReply {

    public Prediction {
      thresholds = thresholds == null ? java.util.Map.of() : thresholds;
    }

    /** A prediction of a version without thresholds. */
    public Prediction(String model, String version, float[] outputs, long queueWaitMicros, int batchSize) {
      this(model, version, outputs, queueWaitMicros, batchSize, java.util.Map.of());
    }
  }

  /** The model's queue in this lane is full: retry later, skip a cycle or degrade. Nothing was queued. */
  record Overloaded(String model, Lane lane, int queued) implements InferenceReply {}

  /** The request waited past its lane's deadline and was not run. */
  record Expired(String model, Lane lane, long waitedMillis) implements InferenceReply {}

  /**
   * Not run: {@code model.unknown} (no active version), {@code input.invalid} (wrong number of
   * values) or {@code run.failed} (ONNX Runtime failed on the batch), all from a pool; or {@link
   * #POOL_UNAVAILABLE} from the caller's side when no pool answered (none registered yet, or its
   * node left): the one code worth trying again later.
   */
  record Failed(String model, String code, String message) implements InferenceReply {

    /** No inference pool answered the request. */
    public static final String POOL_UNAVAILABLE = "pool.unavailable";

    /** Whether no pool answered (transient), rather than a pool refusing or failing the request. */
    public boolean poolUnavailable() {
      return POOL_UNAVAILABLE.equals(code);
    }
  }
}
