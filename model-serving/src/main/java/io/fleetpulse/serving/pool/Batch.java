package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.Lane;
import java.util.List;

/** Requests for one model from one lane, run together in one ONNX Runtime call. */
record Batch(String model, Lane lane, List<PendingRequest> requests) {
  Batch {
    requests = List.copyOf(requests);
  }
}
