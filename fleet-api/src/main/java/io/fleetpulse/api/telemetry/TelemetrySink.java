package io.fleetpulse.api.telemetry;

import java.util.concurrent.CompletionStage;

/**
 * Where the gateway delivers validated telemetry. The node implements it with the device
 * actors' sharding region; the gateway sees nothing of actors. The returned stage completes
 * once the device's actor has decided on the message and fails when it could not be reached in
 * time: the gateway then retries and does not acknowledge the message to the broker meanwhile.
 */
public interface TelemetrySink {

  CompletionStage<IngestOutcome> deliver(Telemetry telemetry);

  /** Tells a known device that one of its messages was rejected before reaching it. */
  void recordRejection(DeviceIdentity device, RejectReason reason);
}
