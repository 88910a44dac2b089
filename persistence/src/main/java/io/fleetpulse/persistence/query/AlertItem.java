package io.fleetpulse.persistence.query;

import java.time.Instant;
import java.util.UUID;

/** One alert as the history tables hold it now (its latest status), keyed by when it was raised. */
public record AlertItem(
    UUID alertId, String deviceId, String site, String type, String severity, String status, Instant raisedAt,
    Instant lastAt, Double lastValue, Integer triggerCount, String acknowledgedBy, Instant acknowledgedAt,
    String clearedBy, Instant clearedAt, String note) {}
