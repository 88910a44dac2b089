package io.fleetpulse.persistence.alerts;

import java.time.Instant;
import java.util.UUID;

/**
 * One alert as the alert tables hold it (the node maps its alerts to and from this). Statuses and
 * severities are the names operators see ({@code ACTIVE_UNACK}, {@code CRITICAL}); the nullable
 * fields are null until an operator or the system acted. {@code revision} orders the versions of
 * one alert: the tables keep the highest.
 */
public record AlertRow(
    UUID alertId, String deviceId, String site, String type, String severity, String status, String message,
    Instant raisedAt, Instant lastAt, double lastValue, long triggerCount, String acknowledgedBy,
    Instant acknowledgedAt, String clearedBy, Instant clearedAt, String note, long revision) {

  /** Cleared and acknowledged: the alert's life is over and it leaves the open-alert tables. */
  public static final String DONE = "CLEARED_ACK";
}
