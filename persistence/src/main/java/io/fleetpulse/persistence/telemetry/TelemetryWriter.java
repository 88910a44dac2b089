package io.fleetpulse.persistence.telemetry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.fleetpulse.persistence.write.BoundedWriter;
import io.fleetpulse.persistence.write.StoreBusyException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes telemetry rows durably and fast: prepared inserts with the configured TTL, the rows of
 * one message grouped by partition into unlogged batches (one request per partition, and a
 * single-partition batch is applied atomically), sent through a {@link BoundedWriter}: a slow or
 * absent Cassandra makes writes fail or be refused ({@link StoreBusyException}), so the gateway
 * stops acknowledging and the broker holds the messages; the heap never fills. Rows are keyed by
 * (device, day, time, sequence, metric): writing a redelivered message again overwrites the same
 * rows, so stored telemetry is exactly once. Thread-safe.
 */
public final class TelemetryWriter {

  private final BoundedWriter writer;
  private final PreparedStatement insert;
  private final int ttlSeconds;
  private final PreparedStatement insertDay;
  private final int dayTtlSeconds;
  private final int dayIndexCache;
  /** Per device, the newest day whose record in telemetry_days_by_device is known to be written. */
  private final ConcurrentHashMap<String, LocalDate> recordedDays = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong rowsStored = new java.util.concurrent.atomic.AtomicLong();

  public TelemetryWriter(CqlSession session, String keyspace, Duration ttl, int maxInFlight, int queueCapacity,
      int dayIndexCache) {
    if (dayIndexCache < 1) {
      throw new IllegalArgumentException("fleetpulse.persistence.telemetry.day-index-cache must be at least 1");
    }
    this.writer = new BoundedWriter("telemetry", session, maxInFlight, queueCapacity);
    this.ttlSeconds = (int) ttl.toSeconds();
    // A day's record outlives the day's last rows: they are written up to a day after its first.
    this.dayTtlSeconds = (int) ttl.plusDays(1).toSeconds();
    this.dayIndexCache = dayIndexCache;
    this.insert = session.prepare("INSERT INTO " + keyspace + ".telemetry_by_device_day"
        + " (device_id, day, ts, seq, metric, value, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    this.insertDay = session.prepare("INSERT INTO " + keyspace + ".telemetry_days_by_device"
        + " (device_id, day) VALUES (?, ?) USING TTL ?");
  }

  /** Stores one message's rows; completes when every partition's batch is written (LOCAL_QUORUM). */
  public CompletionStage<Void> write(List<TelemetryRow> rows) {
    Map<String, List<TelemetryRow>> byPartition = new LinkedHashMap<>();
    for (TelemetryRow row : rows) {
      byPartition.computeIfAbsent(row.deviceId() + '\u0000' + row.day(), key -> new ArrayList<>()).add(row);
    }
    List<BatchStatement> batches = new ArrayList<>(byPartition.size() + 1);
    List<TelemetryRow> newDays = new ArrayList<>(1);
    for (List<TelemetryRow> partition : byPartition.values()) {
      batches.add(batch(partition));
      TelemetryRow first = partition.get(0);
      if (!first.day().equals(recordedDays.get(first.deviceId()))) {
        newDays.add(first);
      }
    }
    if (!newDays.isEmpty()) {
      batches.add(dayRecords(newDays));
    }
    return writer.write(batches).thenRun(() -> {
      rowsStored.addAndGet(rows.size());
      newDays.forEach(this::dayRecorded);
    });
  }

  /** Remembers a device's newest recorded day; forgets every device when the bound is reached. */
  private void dayRecorded(TelemetryRow row) {
    if (recordedDays.size() >= dayIndexCache && !recordedDays.containsKey(row.deviceId())) {
      recordedDays.clear();
    }
    recordedDays.merge(row.deviceId(), row.day(), (known, day) -> day.isAfter(known) ? day : known);
  }

  /** The day records of one message's new (device, day) pairs: one partition, the device's. */
  private BatchStatement dayRecords(List<TelemetryRow> rows) {
    BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED)
        .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
        .setIdempotence(true);
    for (TelemetryRow row : rows) {
      batch.addStatement(insertDay.bind(row.deviceId(), row.day(), dayTtlSeconds));
    }
    return batch.build();
  }

  /** Rows written since start (a redelivered message's rows count again). */
  public long rowsStored() {
    return rowsStored.get();
  }

  private BatchStatement batch(List<TelemetryRow> rows) {
    BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED)
        .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
        .setIdempotence(true);
    for (TelemetryRow row : rows) {
      LocalDate day = row.day();
      batch.addStatement(insert.bind(row.deviceId(), day, row.timestamp(), row.sequence(), row.metric(), row.value(),
          row.receivedAt(), ttlSeconds));
    }
    return batch.build();
  }

  /** Requests at Cassandra plus requests waiting to be sent. */
  public int inFlight() {
    return writer.inFlight();
  }
}
