package io.fleetpulse.persistence.telemetry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;

/**
 * Writes telemetry rows durably and fast: prepared inserts with the configured TTL, the rows of
 * one message grouped by partition into unlogged batches (one request per partition, and a
 * single-partition batch is applied atomically), and a bound on requests in flight. A write
 * beyond the bound is refused at once with {@link StoreBusyException} rather than queued, so a
 * slow or absent Cassandra slows the broker (the gateway stops acknowledging) and never fills the
 * heap. Rows are keyed by (device, day, time, sequence, metric): writing a redelivered message
 * again overwrites the same rows, so stored telemetry is exactly once. Thread-safe.
 */
public final class TelemetryWriter {

  private final CqlSession session;
  private final PreparedStatement insert;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final int ttlSeconds;

  public TelemetryWriter(CqlSession session, String keyspace, Duration ttl, int maxInFlight) {
    this.session = session;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.ttlSeconds = (int) ttl.toSeconds();
    this.insert = session.prepare("INSERT INTO " + keyspace + ".telemetry_by_device_day"
        + " (device_id, day, ts, seq, metric, value, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
  }

  /** Stores one message's rows; completes when every partition's batch is written (LOCAL_QUORUM). */
  public CompletionStage<Void> write(List<TelemetryRow> rows) {
    Map<String, List<TelemetryRow>> byPartition = new LinkedHashMap<>();
    for (TelemetryRow row : rows) {
      byPartition.computeIfAbsent(row.deviceId() + '\u0000' + row.day(), key -> new ArrayList<>()).add(row);
    }
    int requests = byPartition.size();
    if (!inFlight.tryAcquire(requests)) {
      return CompletableFuture.failedFuture(new StoreBusyException(maxInFlight));
    }
    List<CompletableFuture<?>> writes = new ArrayList<>(requests);
    for (List<TelemetryRow> partition : byPartition.values()) {
      CompletableFuture<?> written;
      try {
        written = session.executeAsync(batch(partition)).toCompletableFuture();
      } catch (RuntimeException e) {
        written = CompletableFuture.failedFuture(e);
      }
      writes.add(written.whenComplete((result, failure) -> inFlight.release()));
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
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

  public int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }
}
