package io.fleetpulse.api.telemetry;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The telemetry a {@link TelemetryStore} made durable, read back so a device's state can be
 * rebuilt after its actor restarts (a crash, a rebalance, a passivation). The node implements it
 * over Cassandra.
 */
@FunctionalInterface
public interface TelemetryHistory {

  /**
   * The device's newest stored messages, oldest first, one {@link Telemetry} per stored message
   * (its samples regrouped by sequence number): every message whose time is at or after {@code
   * sinceMillis}, and older ones, however old, while there are fewer than {@code minMessages};
   * at most {@code maxMessages} of them, the newest when there are more. Fails when the store is
   * unreachable.
   */
  CompletionStage<List<Telemetry>> recent(DeviceIdentity device, long sinceMillis, int minMessages, int maxMessages);

  /** Nothing is stored: every device starts afresh. */
  TelemetryHistory NONE = (device, sinceMillis, minMessages, maxMessages) -> CompletableFuture.completedFuture(List.of());
}
