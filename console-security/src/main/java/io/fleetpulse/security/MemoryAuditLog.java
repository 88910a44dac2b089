package io.fleetpulse.security;

import io.fleetpulse.api.audit.AuditEntry;
import io.fleetpulse.api.audit.AuditLog;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The audit log of a node without storage: its newest entries in memory, lost at restart. */
public final class MemoryAuditLog implements AuditLog {

  private final int capacity;
  private final ArrayDeque<AuditEntry> entries = new ArrayDeque<>();

  public MemoryAuditLog(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public synchronized CompletionStage<Void> append(AuditEntry entry) {
    if (entries.size() == capacity) {
      entries.removeFirst();
    }
    entries.addLast(entry);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<AuditEntry>> between(Instant from, Instant to, int limit) {
    List<AuditEntry> newestFirst = new java.util.ArrayList<>();
    for (java.util.Iterator<AuditEntry> it = entries.descendingIterator(); it.hasNext() && newestFirst.size() < limit; ) {
      AuditEntry entry = it.next();
      if (!entry.at().isBefore(from) && entry.at().isBefore(to)) {
        newestFirst.add(entry);
      }
    }
    return CompletableFuture.completedFuture(newestFirst);
  }

  @Override
  public boolean durable() {
    return false;
  }
}
