package io.fleetpulse.security;

import io.fleetpulse.api.audit.AuditEntry;
import io.fleetpulse.api.audit.AuditLog;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link AuditLog} whose failed appends are kept and tried again: while the store is away (a
 * Cassandra outage) the entries wait in this node's memory, oldest first, up to {@code capacity}
 * (beyond it the oldest waiting entry is dropped and counted), and {@link #retry} (called
 * periodically) writes them in order once the store answers again. Requests never wait on it.
 * Thread-safe.
 */
public final class RetryingAuditLog implements AuditLog {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RetryingAuditLog.class);

  private final AuditLog store;
  private final int capacity;
  private final ArrayDeque<AuditEntry> waiting = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private boolean retrying;

  public RetryingAuditLog(AuditLog store, int capacity) {
    this.store = store;
    this.capacity = capacity;
  }

  @Override
  public CompletionStage<Void> append(AuditEntry entry) {
    synchronized (this) {
      if (!waiting.isEmpty()) {
        // Keep the order: behind the entries still waiting.
        keep(entry);
        return CompletableFuture.completedFuture(null);
      }
    }
    return store.append(entry).handle((done, failure) -> {
      if (failure != null) {
        synchronized (this) {
          keep(entry);
        }
        LOG.warn("audit entry kept to be written again ({} waiting): {}", waiting(), failure.toString());
      }
      return null;
    });
  }

  private void keep(AuditEntry entry) {
    if (waiting.size() == capacity) {
      waiting.removeFirst();
      dropped.incrementAndGet();
    }
    waiting.addLast(entry);
  }

  /** Writes the waiting entries, oldest first, until one fails again; completes when done. */
  public CompletionStage<Void> retry() {
    AuditEntry next;
    synchronized (this) {
      if (retrying || waiting.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      retrying = true;
      next = waiting.peekFirst();
    }
    return store.append(next).handle((done, failure) -> failure == null).thenCompose(written -> {
      synchronized (this) {
        if (written && waiting.peekFirst() == next) {
          waiting.removeFirst();
        }
        retrying = false;
      }
      return written ? retry() : CompletableFuture.<Void>completedFuture(null);
    });
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  /** Entries dropped because more than {@code capacity} waited at once. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public CompletionStage<List<AuditEntry>> between(Instant from, Instant to, int limit) {
    return store.between(from, to, limit);
  }

  @Override
  public boolean durable() {
    return store.durable();
  }
}
