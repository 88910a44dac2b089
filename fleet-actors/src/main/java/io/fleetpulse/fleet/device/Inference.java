package io.fleetpulse.fleet.device;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.util.concurrent.CompletionStage;

/**
 * How a device actor reaches the inference pool; the node passes {@code InferenceClient::infer}.
 * The stage always completes with a reply (never exceptionally for an unavailable pool).
 */
@FunctionalInterface
public interface Inference {

  CompletionStage<InferenceReply> infer(String model, Lane lane, float[] values);

  /** For nodes and tests without models: every request is answered pool.unavailable. */
  Inference NONE = (model, lane, values) -> java.util.concurrent.CompletableFuture.completedFuture(
      new InferenceReply.Failed(model, InferenceReply.Failed.POOL_UNAVAILABLE, "this node runs no inference"));
}
