package io.fleetpulse.persistence.records;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.fleetpulse.api.Backoff;
import io.fleetpulse.persistence.write.BoundedWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes what the device actors derive for the data teams: per-minute roll-ups (by device and day,
 * and by site and hour), predictions (by device and day, and by site and hour) and the device
 * registry (by device, and by site). Each record goes to the tables of every query that reads it,
 * as one idempotent statement per table; writing a record twice leaves it stored once. Sent
 * through its own {@link BoundedWriter}, so derived records never take the slots telemetry
 * needs. Roll-ups and predictions that wait for a slot are gathered per partition (a device's
 * day, a site's hour) into unlogged batches of up to {@code maxBatch} rows: when Cassandra is the
 * bottleneck, a busy device's rows cost one request per partition instead of one each. A write
 * Cassandra refuses or fails (a timeout, an outage, the queue full) is retried with doubling
 * back-off up to {@link Retry#attempts()} times before its stage fails; an alert change is retried
 * until it is stored (a restarted actor reads its open alerts back from these rows).
 *
 * <p>A device actor hands a minute's roll-up over again when a late reading updates it (a broker
 * redelivering after a crash), and a recovering actor replays stored telemetry that may start
 * inside a minute. The versions of one roll-up can therefore reach Cassandra out of order (two
 * writes in flight, a retry). Each is written {@code USING TIMESTAMP} the minute's start plus its
 * reading count in microseconds, so the version that saw more readings wins whatever the order of
 * arrival; a device's readings of one minute only grow, so more readings means newer.
 * Thread-safe.
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

  /**
   * Attempts per write (1: no retry; {@link #UNTIL_STORED}: no limit) and the back-off between
   * them, doubled up to {@code maxBackoff}.
   */
  public record Retry(int attempts, Duration minBackoff, Duration maxBackoff) {
    /** {@code attempts} that never give up. */
    public static final int UNTIL_STORED = 0;

    public Retry {
      if (attempts < 0) {
        throw new IllegalArgumentException("retry attempts must be at least 1, or 0 for until stored");
      }
    }

    public static final Retry NONE = new Retry(1, Duration.ZERO, Duration.ZERO);

    /** The wait after failed attempt {@code n} before attempt {@code n + 1}. */
    Backoff backoff() {
      return new Backoff(minBackoff, maxBackoff);
    }

    boolean exhausted(int attempt) {
      return attempts != UNTIL_STORED && attempt >= attempts;
    }
  }

  /** Table names in the partition keys rows are gathered by. */
  private static final String ROLLUPS_BY_DEVICE = "rollups_by_device_day";
  private static final String ROLLUPS_BY_SITE = "rollups_by_site_hour";
  private static final String PREDICTIONS_BY_DEVICE = "predictions_by_device_day";
  private static final String PREDICTIONS_BY_SITE = "predictions_by_site_hour";

  private final BoundedWriter writer;
  private final BoundedWriter alertWriter;
  private final Retry retry;
  private final Retry alertsRetry;
  private final AtomicLong retries = new AtomicLong();
  private final PreparedStatement rollupByDevice;
  private final PreparedStatement rollupBySite;
  private final PreparedStatement predictionByDevice;
  private final PreparedStatement predictionBySite;
  private final PreparedStatement device;
  private final PreparedStatement deviceBySite;
  private final PreparedStatement alertOpen;
  private final PreparedStatement alertOpenDone;
  private final PreparedStatement alertBySiteStatus;
  private final PreparedStatement alertBySiteStatusLeft;
  private final PreparedStatement alertBySiteDay;
  private final PreparedStatement alertByDeviceMonth;

  public RecordsWriter(CqlSession session, String keyspace, int maxInFlight, int queueCapacity, int maxBatch, Retry retry) {
    this(session, keyspace, maxInFlight, queueCapacity, maxBatch, maxInFlight, queueCapacity, retry, retry);
  }

  /**
   * Alerts get their own bound ({@code alertsMaxInFlight}): an operator's acknowledgement or a
   * burst of alerts never waits behind roll-ups and predictions, nor they behind alerts.
   */
  public RecordsWriter(
      CqlSession session, String keyspace, int maxInFlight, int queueCapacity, int maxBatch, int alertsMaxInFlight,
      int alertsQueueCapacity, Retry retry, Retry alertsRetry) {
    this.writer = new BoundedWriter("records", session, maxInFlight, queueCapacity, maxBatch);
    this.alertWriter = new BoundedWriter("alerts", session, alertsMaxInFlight, alertsQueueCapacity);
    this.retry = retry;
    this.alertsRetry = alertsRetry;
    this.rollupByDevice = session.prepare("INSERT INTO " + keyspace + ".rollups_by_device_day"
        + " (device_id, day, minute, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " USING TIMESTAMP ?");
    this.rollupBySite = session.prepare("INSERT INTO " + keyspace + ".rollups_by_site_hour"
        + " (site, hour, minute, device_id, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " USING TIMESTAMP ?");
    this.predictionByDevice = session.prepare("INSERT INTO " + keyspace + ".predictions_by_device_day"
        + " (device_id, day, ts, model, model_version, seq, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.predictionBySite = session.prepare("INSERT INTO " + keyspace + ".predictions_by_site_hour"
        + " (site, hour, ts, device_id, model, model_version, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    // The first registration wins: a restarting actor must not move registered_at forward.
    this.device = session.prepare("INSERT INTO " + keyspace + ".devices"
        + " (device_id, site, profile, auto_provisioned, registered_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
    this.deviceBySite = session.prepare("INSERT INTO " + keyspace + ".devices_by_site"
        + " (site, device_id, profile) VALUES (?, ?, ?)");
    String alertColumns = "alert_type, severity, message, raised_at, last_at, last_value, trigger_count,"
        + " acknowledged_by, acknowledged_at, cleared_by, cleared_at, note, revision";
    String alertValues = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    this.alertOpen = session.prepare("INSERT INTO " + keyspace + ".alerts_open_by_device (device_id, alert_id, site,"
        + " status, " + alertColumns + ") VALUES (?, ?, ?, ?, " + alertValues + ") USING TIMESTAMP ?");
    this.alertOpenDone = session.prepare("DELETE FROM " + keyspace + ".alerts_open_by_device USING TIMESTAMP ?"
        + " WHERE device_id = ? AND alert_id = ?");
    this.alertBySiteStatus = session.prepare("INSERT INTO " + keyspace + ".alerts_by_site_status (site, status, alert_id,"
        + " device_id, " + alertColumns + ") VALUES (?, ?, ?, ?, " + alertValues + ") USING TIMESTAMP ?");
    this.alertBySiteStatusLeft = session.prepare("DELETE FROM " + keyspace + ".alerts_by_site_status USING TIMESTAMP ?"
        + " WHERE site = ? AND status = ? AND raised_at = ? AND alert_id = ?");
    this.alertBySiteDay = session.prepare("INSERT INTO " + keyspace + ".alerts_by_site_day (site, day, alert_id,"
        + " device_id, status, " + alertColumns + ") VALUES (?, ?, ?, ?, ?, " + alertValues + ") USING TIMESTAMP ?");
    this.alertByDeviceMonth = session.prepare("INSERT INTO " + keyspace + ".alerts_by_device_month (device_id, month,"
        + " alert_id, site, status, " + alertColumns + ") VALUES (?, ?, ?, ?, ?, " + alertValues + ") USING TIMESTAMP ?");
  }

  public CompletionStage<Void> rollup(RollupRow row) {
    long version = rollupVersion(row);
    return writeKeyed(List.of(
        // Each version carries its own write timestamp: versions of a minute may share a batch.
        new BoundedWriter.Keyed(List.of(ROLLUPS_BY_DEVICE, row.deviceId(), day(row.minute())), null,
            idempotent(rollupByDevice.bind(row.deviceId(), day(row.minute()), row.minute(), row.metric(), row.count(),
                row.mean(), row.min(), row.max(), row.stddev(), version))),
        new BoundedWriter.Keyed(List.of(ROLLUPS_BY_SITE, row.site(), hour(row.minute())), null,
            idempotent(rollupBySite.bind(row.site(), hour(row.minute()), row.minute(), row.deviceId(), row.metric(),
                row.count(), row.mean(), row.min(), row.max(), row.stddev(), version)))));
  }

  /** The write timestamp of a roll-up version: the minute's start plus its reading count, in microseconds. */
  static long rollupVersion(RollupRow row) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, row.minute()) + row.count();
  }

  public CompletionStage<Void> prediction(PredictionRow row) {
    // A window run again after a late message rewrites its prediction: the same row, written later.
    List<Object> predicted = List.of(row.deviceId(), row.at(), row.model());
    return writeKeyed(List.of(
        new BoundedWriter.Keyed(List.of(PREDICTIONS_BY_DEVICE, row.deviceId(), day(row.at())), predicted,
            idempotent(predictionByDevice.bind(row.deviceId(), day(row.at()), row.at(), row.model(), row.version(),
                row.sequence(), row.outputs()))),
        new BoundedWriter.Keyed(List.of(PREDICTIONS_BY_SITE, row.site(), hour(row.at())), predicted,
            idempotent(predictionBySite.bind(row.site(), hour(row.at()), row.at(), row.deviceId(), row.model(),
                row.version(), row.outputs())))));
  }

  public CompletionStage<Void> device(DeviceRow row) {
    return write(List.of(
        device.bind(row.deviceId(), row.site(), row.profile(), row.autoProvisioned(), row.registeredAt())
            .setSerialConsistencyLevel(DefaultConsistencyLevel.LOCAL_SERIAL),
        idempotent(deviceBySite.bind(row.site(), row.deviceId(), row.profile()))));
  }

  /**
   * Writes one version of an alert to every alert table: its history (by site and day, by device
   * and month, keyed by when it was raised), the site's list of its status (leaving the list of
   * {@code previousStatus}, null when the change raised it) and the device's open alerts. A
   * cleared and acknowledged alert leaves the open lists. Every statement is written {@code USING
   * TIMESTAMP} the alert's raise time plus its revision in microseconds, so a late or retried
   * older version never overwrites a newer one, nor re-enters a list the alert has left. The
   * statements go as one logged batch.
   */
  public CompletionStage<Void> alert(io.fleetpulse.persistence.alerts.AlertRow row, String previousStatus) {
    long version = ChronoUnit.MICROS.between(Instant.EPOCH, row.raisedAt()) + row.revision();
    int count = (int) Math.min(Integer.MAX_VALUE, row.triggerCount());
    Object[] fields = {row.type(), row.severity(), row.message(), row.raisedAt(), row.lastAt(), row.lastValue(), count,
        row.acknowledgedBy(), row.acknowledgedAt(), row.clearedBy(), row.clearedAt(), row.note(), row.revision()};
    boolean done = io.fleetpulse.persistence.alerts.AlertRow.DONE.equals(row.status());
    List<BoundStatement> statements = new java.util.ArrayList<>(5);
    statements.add(idempotent(alertBySiteDay.bind(concat(
        new Object[] {row.site(), day(row.raisedAt()), row.alertId(), row.deviceId(), row.status()}, fields, version))));
    statements.add(idempotent(alertByDeviceMonth.bind(concat(
        new Object[] {row.deviceId(), month(row.raisedAt()), row.alertId(), row.site(), row.status()}, fields, version))));
    if (previousStatus != null && !previousStatus.equals(row.status())) {
      statements.add(idempotent(alertBySiteStatusLeft.bind(version, row.site(), previousStatus, row.raisedAt(), row.alertId())));
    }
    if (done) {
      statements.add(idempotent(alertOpenDone.bind(version, row.deviceId(), row.alertId())));
    } else {
      statements.add(idempotent(alertBySiteStatus.bind(concat(
          new Object[] {row.site(), row.status(), row.alertId(), row.deviceId()}, fields, version))));
      statements.add(idempotent(alertOpen.bind(concat(
          new Object[] {row.deviceId(), row.alertId(), row.site(), row.status()}, fields, version))));
    }
    // One logged batch: the alert's rows in its five tables change together or not at all (the
    // batch log replays a half-applied batch), and a change costs one request instead of five.
    return attempt(() -> alertWriter.write(List.of(com.datastax.oss.driver.api.core.cql.BatchStatement.newInstance(
            com.datastax.oss.driver.api.core.cql.DefaultBatchType.LOGGED, statements.toArray(BoundStatement[]::new))
        .setIdempotent(true).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))), alertsRetry, 1);
  }

  private static Object[] concat(Object[] keys, Object[] fields, long version) {
    Object[] all = new Object[keys.length + fields.length + 1];
    System.arraycopy(keys, 0, all, 0, keys.length);
    System.arraycopy(fields, 0, all, keys.length, fields.length);
    all[all.length - 1] = version;
    return all;
  }

  /** The month bucket of the device alert history: {@code 2026-11}. */
  static String month(Instant at) {
    return java.time.YearMonth.from(at.atZone(ZoneOffset.UTC)).toString();
  }

  /** Requests at Cassandra plus requests waiting to be sent. */
  public int inFlight() {
    return writer.inFlight() + alertWriter.inFlight();
  }

  /** Writes sent again after a failure, since start. */
  public long retries() {
    return retries.get();
  }

  /** Requests the roll-up, prediction and registry writes have sent (a gathered batch counts once). */
  public long requests() {
    return writer.requests();
  }

  private CompletionStage<Void> write(List<? extends Statement<?>> statements) {
    return attempt(() -> writer.write(statements), retry, 1);
  }

  private CompletionStage<Void> writeKeyed(List<BoundedWriter.Keyed> statements) {
    return attempt(() -> writer.writeKeyed(statements), retry, 1);
  }

  private CompletionStage<Void> attempt(
      java.util.function.Supplier<CompletionStage<Void>> send, Retry retry, int attempt) {
    return send.get().handle((done, failure) -> {
      if (failure == null) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (retry.exhausted(attempt)) {
        return CompletableFuture.<Void>failedFuture(failure);
      }
      retries.incrementAndGet();
      long wait = retry.backoff().delay(attempt).toMillis();
      return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS))
          .thenCompose(ignored -> attempt(send, retry, attempt + 1));
    }).thenCompose(stage -> stage);
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
