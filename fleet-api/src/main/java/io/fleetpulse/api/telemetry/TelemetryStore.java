package io.fleetpulse.api.telemetry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where validated telemetry is made durable before the gateway acknowledges it. The node
 * implements it over Cassandra; the stage fails when the store is busy or unreachable, and the
 * gateway then retries and keeps the message unacknowledged. Storing the same message twice must
 * leave it stored once (redeliveries happen).
 */
@FunctionalInterface
public interface TelemetryStore {

  CompletionStage<Void> store(Telemetry telemetry);

  /** No durable store: telemetry lives only in the device actors' memory. */
  TelemetryStore NONE = telemetry -> CompletableFuture.completedFuture(null);
}
