package io.fleetpulse.fleet.device;

import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.TelemetryHistory;

/**
 * What a device actor reads from and writes to storage: the stored telemetry it rebuilds its
 * state from when it starts, the records it derives for the data teams, and its alerts (read
 * back when it starts, saved on every change).
 */
public record DeviceStorage(TelemetryHistory history, DeviceRecords records, AlertStore alerts) {

  /** No storage: actors start empty and their records go nowhere. */
  public static final DeviceStorage NONE = new DeviceStorage(TelemetryHistory.NONE, DeviceRecords.NONE, AlertStore.NONE);

  /** Telemetry and records stored, alerts kept in memory only. */
  public DeviceStorage(TelemetryHistory history, DeviceRecords records) {
    this(history, records, AlertStore.NONE);
  }
}
