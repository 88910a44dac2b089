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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes telemetry rows durably and fast: prepared inserts with the configured TTL, the rows of
 * one message grouped by partition into unlogged batches (one request per partition, and a
 * single-partition batch is applied atomically), at most {@code maxInFlight} requests at
 * Cassandra at once. Requests beyond that wait in a queue of {@code queueCapacity}; beyond the
 * queue a write is refused at once with {@link StoreBusyException}, so a slow or absent Cassandra
 * slows the broker (the gateway stops acknowledging) and never fills the heap. Rows are keyed by
 * (device, day, time, sequence, metric): writing a redelivered message again overwrites the same
 * rows, so stored telemetry is exactly once. Thread-safe.
 */
public final class TelemetryWriter {

  private record Pending(BatchStatement batch, CompletableFuture<Void> done) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final int maxInFlight;
  private final int queueCapacity;
  private final int ttlSeconds;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  public TelemetryWriter(CqlSession session, String keyspace, Duration ttl, int maxInFlight, int queueCapacity) {
    this.session = session;
    this.maxInFlight = maxInFlight;
    this.queueCapacity = queueCapacity;
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
    if (queued.addAndGet(requests) > queueCapacity) {
      queued.addAndGet(-requests);
      return CompletableFuture.failedFuture(new StoreBusyException(queueCapacity));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>(requests);
    for (List<TelemetryRow> partition : byPartition.values()) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      queue.add(new Pending(batch(partition), done));
      writes.add(done);
    }
    drain();
    return writes.size() == 1 ? writes.get(0) : CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /** Sends queued batches while fewer than maxInFlight are at Cassandra. */
  private void drain() {
    while (true) {
      int current = inFlight.get();
      if (current >= maxInFlight) {
        return;
      }
      if (!inFlight.compareAndSet(current, current + 1)) {
        continue;
      }
      Pending next = queue.poll();
      if (next == null) {
        inFlight.decrementAndGet();
        // A write may have been queued between the poll and the decrement: look once more.
        if (queue.isEmpty()) {
          return;
        }
        continue;
      }
      queued.decrementAndGet();
      CompletionStage<?> sent;
      try {
        sent = session.executeAsync(next.batch());
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete((result, failure) -> {
        inFlight.decrementAndGet();
        if (failure != null) {
          next.done().completeExceptionally(failure);
        } else {
          next.done().complete(null);
        }
        drain();
      });
    }
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
    return inFlight.get() + queued.get();
  }
}
