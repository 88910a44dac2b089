package io.fleetpulse.persistence.telemetry;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** One reading as stored in {@code telemetry_by_device_day}. The day bucket is the reading's UTC day. */
public record TelemetryRow(String deviceId, Instant timestamp, long sequence, String metric, double value, Instant receivedAt) {

  public LocalDate day() {
    return timestamp.atZone(ZoneOffset.UTC).toLocalDate();
  }
}
