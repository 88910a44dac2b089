package io.fleetpulse.api.audit;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where every state-changing call is appended: the cluster's table when there is storage, else
 * this node's memory. Entries are never changed or deleted through it.
 */
public interface AuditLog {

  CompletionStage<Void> append(AuditEntry entry);

  /** Entries with {@code from <= at < to}, newest first, at most {@code limit}: the latest calls of the range. */
  CompletionStage<List<AuditEntry>> between(Instant from, Instant to, int limit);

  /** Whether entries survive this node (false: kept in its memory only). */
  boolean durable();
}
