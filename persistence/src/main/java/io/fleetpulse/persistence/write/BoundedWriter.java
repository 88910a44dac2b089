package io.fleetpulse.persistence.write;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends statements to Cassandra with at most {@code maxInFlight} requests outstanding at once.
 * Requests beyond that wait in a queue of {@code queueCapacity} statements; beyond the queue a
 * write is refused at once with {@link StoreBusyException}, so a slow or absent Cassandra pushes
 * back on the caller and never fills the heap. Every writer of the persistence module sends
 * through one of these (each with its own bound, so derived records never take telemetry's slots).
 *
 * <p>Statements written with {@link #writeKeyed} name their partition. While they wait for a
 * slot, the ones of one partition are gathered, in arrival order, into one unlogged batch of at
 * most {@code maxBatch} statements (a single-partition batch is one mutation, applied atomically,
 * and costs one request instead of many). Nothing waits on purpose: a statement that finds a free
 * slot goes at once, alone; batches form only from what queues behind busy slots, so they grow
 * exactly when Cassandra is the bottleneck. A batch's statements must agree on idempotence and
 * consistency (the batch carries them). The statements of a batch share one write timestamp, so a
 * statement that names a row already in the gathering batch starts the next one instead: a row's
 * later write is sent later, with a later timestamp, and wins as it would unbatched. Thread-safe: the queue is guarded by a lock held only to
 * add or take a unit, never across a request.
 */
public final class BoundedWriter {

  private record Pending(Statement<?> statement, CompletableFuture<Void> done) {}

  /** What one request sends: a single statement, or the gathered statements of one partition. */
  private static final class Unit {
    final Object partition;
    final List<Pending> pending = new ArrayList<>(1);
    /** The rows the unit writes (those named). */
    java.util.Set<Object> rows;

    Unit(Object partition) {
      this.partition = partition;
    }
  }

  /**
   * A statement, the partition it writes to (equal keys: the same partition of the same table) and
   * the row within it, or null where no two statements of the partition could write the same row
   * or their order does not matter (each carries its own {@code USING TIMESTAMP}).
   */
  public record Keyed(Object partition, Object row, BatchableStatement<?> statement) {}

  private final String name;
  private final CqlSession session;
  private final int maxInFlight;
  private final int queueCapacity;
  private final int maxBatch;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final Object lock = new Object();
  /** Units waiting for a slot, oldest first. Guarded by lock. */
  private final ArrayDeque<Unit> queue = new ArrayDeque<>();
  /** The waiting unit of each partition that still has room. Guarded by lock. */
  private final Map<Object, Unit> gathering = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

  /** A writer that sends every statement as its own request. */
  public BoundedWriter(String name, CqlSession session, int maxInFlight, int queueCapacity) {
    this(name, session, maxInFlight, queueCapacity, 1);
  }

  /** A writer that gathers waiting statements of one partition into batches of up to {@code maxBatch}. */
  public BoundedWriter(String name, CqlSession session, int maxInFlight, int queueCapacity, int maxBatch) {
    if (maxInFlight < 1 || queueCapacity < 1 || maxBatch < 1) {
      throw new IllegalArgumentException("max-in-flight, queue-capacity and max-batch must be positive");
    }
    this.name = name;
    this.session = session;
    this.maxInFlight = maxInFlight;
    this.queueCapacity = queueCapacity;
    this.maxBatch = maxBatch;
  }

  /** Sends the statements; completes when all are written, fails when any fails or the queue is full. */
  public CompletionStage<Void> write(List<? extends Statement<?>> statements) {
    if (!reserve(statements.size())) {
      return CompletableFuture.failedFuture(new StoreBusyException(name, queueCapacity));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>(statements.size());
    synchronized (lock) {
      for (Statement<?> statement : statements) {
        Unit unit = new Unit(null);
        writes.add(add(unit, statement));
        queue.add(unit);
      }
    }
    drain();
    return all(writes);
  }

  /**
   * Sends the statements, each gathered with others of its partition that are waiting too;
   * completes when all are written, fails when any fails or the queue is full.
   */
  public CompletionStage<Void> writeKeyed(List<Keyed> statements) {
    if (!reserve(statements.size())) {
      return CompletableFuture.failedFuture(new StoreBusyException(name, queueCapacity));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>(statements.size());
    synchronized (lock) {
      for (Keyed keyed : statements) {
        Unit unit = maxBatch > 1 ? gathering.get(keyed.partition()) : null;
        if (unit != null && keyed.row() != null && unit.rows != null && unit.rows.contains(keyed.row())) {
          unit = null; // the row is in this batch already: its newer write goes in the next
        }
        if (unit == null) {
          unit = new Unit(keyed.partition());
          queue.add(unit);
          if (maxBatch > 1) {
            gathering.put(keyed.partition(), unit);
          }
        }
        writes.add(add(unit, keyed.statement()));
        if (keyed.row() != null && maxBatch > 1) {
          if (unit.rows == null) {
            unit.rows = new java.util.HashSet<>();
          }
          unit.rows.add(keyed.row());
        }
        if (unit.pending.size() >= maxBatch) {
          gathering.remove(keyed.partition());
        }
      }
    }
    drain();
    return all(writes);
  }

  private boolean reserve(int statements) {
    if (queued.addAndGet(statements) > queueCapacity) {
      queued.addAndGet(-statements);
      return false;
    }
    return true;
  }

  private static CompletableFuture<Void> add(Unit unit, Statement<?> statement) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    unit.pending.add(new Pending(statement, done));
    return done;
  }

  private static CompletableFuture<Void> all(List<CompletableFuture<Void>> writes) {
    return writes.size() == 1 ? writes.get(0) : CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /** Sends waiting units while fewer than maxInFlight requests are at Cassandra. */
  private void drain() {
    while (true) {
      int current = inFlight.get();
      if (current >= maxInFlight) {
        return;
      }
      if (!inFlight.compareAndSet(current, current + 1)) {
        continue;
      }
      Unit next;
      synchronized (lock) {
        next = queue.poll();
        if (next != null && next.partition != null && gathering.get(next.partition) == next) {
          gathering.remove(next.partition);
        }
      }
      if (next == null) {
        inFlight.decrementAndGet();
        // A write may have been queued between the poll and the decrement: look once more.
        synchronized (lock) {
          if (queue.isEmpty()) {
            return;
          }
        }
        continue;
      }
      queued.addAndGet(-next.pending.size());
      requests.incrementAndGet();
      CompletionStage<?> sent;
      try {
        sent = session.executeAsync(statementOf(next));
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      Unit unit = next;
      sent.whenComplete((result, failure) -> {
        inFlight.decrementAndGet();
        for (Pending pending : unit.pending) {
          if (failure != null) {
            pending.done().completeExceptionally(failure);
          } else {
            pending.done().complete(null);
          }
        }
        drain();
      });
    }
  }

  /** The unit's one statement, or its statements as one unlogged single-partition batch. */
  private static Statement<?> statementOf(Unit unit) {
    if (unit.pending.size() == 1) {
      return unit.pending.get(0).statement();
    }
    Statement<?> first = unit.pending.get(0).statement();
    ConsistencyLevel consistency = first.getConsistencyLevel();
    BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED).setIdempotence(first.isIdempotent());
    if (consistency != null) {
      batch.setConsistencyLevel(consistency);
    }
    for (Pending pending : unit.pending) {
      batch.addStatement((BatchableStatement<?>) pending.statement());
    }
    return batch.build();
  }

  /** Requests at Cassandra plus statements waiting to be sent. */
  public int inFlight() {
    return inFlight.get() + queued.get();
  }

  /** Requests sent since start (a batch counts once): with the statements written, how much gathering saved. */
  public long requests() {
    return requests.get();
  }
}
