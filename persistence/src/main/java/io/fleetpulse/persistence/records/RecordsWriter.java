package io.fleetpulse.persistence.records;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.fleetpulse.persistence.write.BoundedWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Writes what the device actors derive for the data teams: per-minute roll-ups (by device and day,
 * and by site and hour), predictions (by device and day, and by site and hour) and the device
 * registry (by device, and by site). Each record goes to the tables of every query that reads it,
 * as one idempotent statement per table; writing a record twice leaves it stored once. Sent
 * through its own {@link BoundedWriter}, so derived records never take the slots telemetry
 * needs. Thread-safe.
 */
public final class RecordsWriter {

  /** One metric's statistics for one minute of one device. */
  public record RollupRow(
      String deviceId, String site, Instant minute, String metric, long count, double mean, double min, double max,
      double stddev) {}

  /** One model output for one device. {@code sequence} is the message the window ended with. */
  public record PredictionRow(
      String deviceId, String site, Instant at, String model, String version, long sequence, List<Float> outputs) {}

  /** A device as its actor saw it. */
  public record DeviceRow(String deviceId, String site, String profile, boolean autoProvisioned, Instant registeredAt) {}

  private final BoundedWriter writer;
  private final PreparedStatement rollupByDevice;
  private final PreparedStatement rollupBySite;
  private final PreparedStatement predictionByDevice;
  private final PreparedStatement predictionBySite;
  private final PreparedStatement device;
  private final PreparedStatement deviceBySite;

  public RecordsWriter(CqlSession session, String keyspace, int maxInFlight, int queueCapacity) {
    this.writer = new BoundedWriter("records", session, maxInFlight, queueCapacity);
    this.rollupByDevice = session.prepare("INSERT INTO " + keyspace + ".rollups_by_device_day"
        + " (device_id, day, minute, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.rollupBySite = session.prepare("INSERT INTO " + keyspace + ".rollups_by_site_hour"
        + " (site, hour, minute, device_id, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.predictionByDevice = session.prepare("INSERT INTO " + keyspace + ".predictions_by_device_day"
        + " (device_id, day, ts, model, model_version, seq, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.predictionBySite = session.prepare("INSERT INTO " + keyspace + ".predictions_by_site_hour"
        + " (site, hour, ts, device_id, model, model_version, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    // The first registration wins: a restarting actor must not move registered_at forward.
    this.device = session.prepare("INSERT INTO " + keyspace + ".devices"
        + " (device_id, site, profile, auto_provisioned, registered_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
    this.deviceBySite = session.prepare("INSERT INTO " + keyspace + ".devices_by_site"
        + " (site, device_id, profile) VALUES (?, ?, ?)");
  }

  public CompletionStage<Void> rollup(RollupRow row) {
    return writer.write(List.of(
        idempotent(rollupByDevice.bind(row.deviceId(), day(row.minute()), row.minute(), row.metric(), row.count(),
            row.mean(), row.min(), row.max(), row.stddev())),
        idempotent(rollupBySite.bind(row.site(), hour(row.minute()), row.minute(), row.deviceId(), row.metric(),
            row.count(), row.mean(), row.min(), row.max(), row.stddev()))));
  }

  public CompletionStage<Void> prediction(PredictionRow row) {
    return writer.write(List.of(
        idempotent(predictionByDevice.bind(row.deviceId(), day(row.at()), row.at(), row.model(), row.version(),
            row.sequence(), row.outputs())),
        idempotent(predictionBySite.bind(row.site(), hour(row.at()), row.at(), row.deviceId(), row.model(),
            row.version(), row.outputs()))));
  }

  public CompletionStage<Void> device(DeviceRow row) {
    return writer.write(List.of(
        device.bind(row.deviceId(), row.site(), row.profile(), row.autoProvisioned(), row.registeredAt())
            .setSerialConsistencyLevel(DefaultConsistencyLevel.LOCAL_SERIAL),
        idempotent(deviceBySite.bind(row.site(), row.deviceId(), row.profile()))));
  }

  /** Requests at Cassandra plus requests waiting to be sent. */
  public int inFlight() {
    return writer.inFlight();
  }

  private static BoundStatement idempotent(BoundStatement statement) {
    return statement.setIdempotent(true).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
  }

  static LocalDate day(Instant at) {
    return at.atZone(ZoneOffset.UTC).toLocalDate();
  }

  static Instant hour(Instant at) {
    return at.truncatedTo(ChronoUnit.HOURS);
  }
}
