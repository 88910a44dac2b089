package io.fleetpulse.persistence;

import com.typesafe.config.Config;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.records.RecordsWriter;
import java.time.Duration;

/** {@code fleetpulse.persistence}, read once. */
public record PersistenceSettings(
    boolean enabled, Duration telemetryTtl, int telemetryMaxInFlight, int telemetryQueueCapacity, int telemetryMaxBatch,
    int telemetryDayIndexCache,
    int recordsMaxInFlight, int recordsQueueCapacity, int recordsMaxBatch, int alertsMaxInFlight, int alertsQueueCapacity,
    RecordsWriter.Retry recordsRetry, RecordsWriter.Retry alertsRetry,
    CassandraSettings cassandra) {

  public static PersistenceSettings fromConfig(Config root) {
    Config c = root.getConfig("fleetpulse.persistence");
    return new PersistenceSettings(
        c.getBoolean("enabled"), c.getDuration("telemetry.ttl"), c.getInt("telemetry.max-in-flight"),
        c.getInt("telemetry.queue-capacity"), c.getInt("telemetry.max-batch"), c.getInt("telemetry.day-index-cache"), c.getInt("records.max-in-flight"), c.getInt("records.queue-capacity"),
        c.getInt("records.max-batch"),
        c.getInt("alerts.max-in-flight"), c.getInt("alerts.queue-capacity"),
        retry(c.getConfig("records.retry")), retry(c.getConfig("alerts.retry")),
        CassandraSettings.fromConfig(root));
  }

  private static RecordsWriter.Retry retry(Config c) {
    return new RecordsWriter.Retry(c.getInt("attempts"), c.getDuration("min-backoff"), c.getDuration("max-backoff"));
  }
}
