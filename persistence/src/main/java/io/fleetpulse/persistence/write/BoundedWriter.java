package io.fleetpulse.persistence.write;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends statements to Cassandra with at most {@code maxInFlight} requests outstanding at once.
 * Requests beyond that wait in a queue of {@code queueCapacity}; beyond the queue a write is
 * refused at once with {@link StoreBusyException}, so a slow or absent Cassandra pushes back on
 * the caller and never fills the heap. Every writer of the persistence module sends through one
 * of these (each with its own bound, so derived records never take telemetry's slots).
 * Thread-safe and lock-free.
 */
public final class BoundedWriter {

  private record Pending(Statement<?> statement, CompletableFuture<Void> done) {}

  private final String name;
  private final CqlSession session;
  private final int maxInFlight;
  private final int queueCapacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  public BoundedWriter(String name, CqlSession session, int maxInFlight, int queueCapacity) {
    if (maxInFlight < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("max-in-flight and queue-capacity must be positive");
    }
    this.name = name;
    this.session = session;
    this.maxInFlight = maxInFlight;
    this.queueCapacity = queueCapacity;
  }

  /** Sends the statements; completes when all are written, fails when any fails or the queue is full. */
  public CompletionStage<Void> write(List<? extends Statement<?>> statements) {
    int requests = statements.size();
    if (queued.addAndGet(requests) > queueCapacity) {
      queued.addAndGet(-requests);
      return CompletableFuture.failedFuture(new StoreBusyException(name, queueCapacity));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>(requests);
    for (Statement<?> statement : statements) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      queue.add(new Pending(statement, done));
      writes.add(done);
    }
    drain();
    return writes.size() == 1 ? writes.get(0) : CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /** Sends queued statements while fewer than maxInFlight are at Cassandra. */
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
        sent = session.executeAsync(next.statement());
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

  /** Requests at Cassandra plus requests waiting to be sent. */
  public int inFlight() {
    return inFlight.get() + queued.get();
  }
}
