package io.fleetpulse.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.audit.AuditEntry;
import io.fleetpulse.api.audit.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RetryingAuditLogTest {

  /** A store that refuses every append while it is down. */
  private static final class Store implements AuditLog {
    final List<String> written = new CopyOnWriteArrayList<>();
    volatile boolean down;

    @Override
    public CompletionStage<Void> append(AuditEntry entry) {
      if (down) {
        return CompletableFuture.failedFuture(new IllegalStateException("Cassandra is away"));
      }
      written.add(entry.action());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<AuditEntry>> between(Instant from, Instant to, int limit) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  private static AuditEntry entry(String action) {
    return new AuditEntry(Instant.parse("2026-12-07T10:00:00Z"), "ada", "session", List.of("operator"), action,
        "POST /x", 200, "ok", "127.0.0.1");
  }

  @Test
  void entries_written_while_the_store_is_away_are_written_later_in_their_order() {
    Store store = new Store();
    RetryingAuditLog audit = new RetryingAuditLog(store, 100);
    audit.append(entry("a")).toCompletableFuture().join();
    store.down = true;
    audit.append(entry("b")).toCompletableFuture().join();
    audit.append(entry("c")).toCompletableFuture().join();
    audit.retry().toCompletableFuture().join();
    assertThat(audit.waiting()).isEqualTo(2);
    store.down = false;
    audit.append(entry("d")).toCompletableFuture().join();
    assertThat(store.written).as("d waits behind b and c").containsExactly("a");

    audit.retry().toCompletableFuture().join();

    assertThat(store.written).containsExactly("a", "b", "c", "d");
    assertThat(audit.waiting()).isZero();
    assertThat(audit.dropped()).isZero();
  }

  @Test
  void beyond_its_capacity_the_oldest_waiting_entry_is_dropped_and_counted() {
    Store store = new Store();
    store.down = true;
    RetryingAuditLog audit = new RetryingAuditLog(store, 2);
    for (String action : List.of("a", "b", "c")) {
      audit.append(entry(action)).toCompletableFuture().join();
    }
    store.down = false;
    audit.retry().toCompletableFuture().join();

    assertThat(store.written).containsExactly("b", "c");
    assertThat(audit.dropped()).isEqualTo(1);
  }
}
