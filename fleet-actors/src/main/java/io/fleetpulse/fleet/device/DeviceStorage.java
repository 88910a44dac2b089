package io.fleetpulse.fleet.device;

import io.fleetpulse.api.telemetry.TelemetryHistory;

/**
 * What a device actor reads from and writes to storage: the stored telemetry it rebuilds its
 * state from when it starts, and the records it derives for the data teams.
 */
public record DeviceStorage(TelemetryHistory history, DeviceRecords records) {

  /** No storage: actors start empty and their records go nowhere. */
  public static final DeviceStorage NONE = new DeviceStorage(TelemetryHistory.NONE, DeviceRecords.NONE);
}
