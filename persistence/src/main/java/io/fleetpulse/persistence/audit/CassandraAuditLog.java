package io.fleetpulse.persistence.audit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.fleetpulse.api.audit.AuditEntry;
import io.fleetpulse.api.audit.AuditLog;
import io.fleetpulse.persistence.cassandra.AllRows;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The audit log in {@code audit_log} (schema version 7): one partition per UTC day, entries
 * inserted once each with their own time-based id and never updated. A range is read a day at a
 * time, newest first, until the limit. Thread-safe.
 */
public final class CassandraAuditLog implements AuditLog {

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement select;

  public CassandraAuditLog(CqlSession session, String keyspace) {
    this.session = session;
    this.insert = session.prepare("INSERT INTO " + keyspace + ".audit_log (day, at, id, who, kind, roles, action, target,"
        + " status, outcome, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.select = session.prepare("SELECT at, who, kind, roles, action, target, status, outcome, address FROM "
        + keyspace + ".audit_log WHERE day = ? AND at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?");
  }

  @Override
  public CompletionStage<Void> append(AuditEntry entry) {
    return session.executeAsync(insert.bind(day(entry.at()), entry.at(), Uuids.timeBased(), entry.who(), entry.kind(),
                entry.roles(), entry.action(), entry.target(), entry.status(), entry.outcome(), entry.address())
            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
        .thenApply(done -> null);
  }

  @Override
  public CompletionStage<List<AuditEntry>> between(Instant from, Instant to, int limit) {
    // The last day holding part of the range: the one of the instant just before `to`.
    return read(day(to.minusNanos(1)), from, to, limit, new ArrayList<>());
  }

  @Override
  public boolean durable() {
    return true;
  }

  private CompletionStage<List<AuditEntry>> read(LocalDate day, Instant from, Instant to, int limit, List<AuditEntry> into) {
    if (into.size() >= limit || day.isBefore(day(from))) {
      return CompletableFuture.completedFuture(into);
    }
    return AllRows.read(session.executeAsync(select.bind(day, from, to, limit - into.size())
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)),
            row -> new AuditEntry(row.getInstant("at"), row.getString("who"), row.getString("kind"),
                row.getList("roles", String.class), row.getString("action"), row.getString("target"),
                row.getInt("status"), row.getString("outcome"), row.getString("address")))
        .thenCompose(entries -> {
          into.addAll(entries);
          return read(day.minusDays(1), from, to, limit, into);
        });
  }

  private static LocalDate day(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }
}
