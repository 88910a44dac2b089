package io.fleetpulse.persistence.telemetry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads a device's recent telemetry back, newest first from Cassandra so that a cap keeps the
 * newest messages: one day partition at a time from the newest day back to the day of {@code
 * since}, page by page, asynchronously. Used when a device actor rebuilds its state. Reads at
 * LOCAL_QUORUM, the writes' level, so a read after a write sees it.
 */
public final class TelemetryReader {

  private static final int PAGE_SIZE = 2000;

  private final CqlSession session;
  private final PreparedStatement select;

  public TelemetryReader(CqlSession session, String keyspace) {
    this.session = session;
    this.select = session.prepare("SELECT ts, seq, metric, value, received_at FROM " + keyspace
        + ".telemetry_by_device_day WHERE device_id = ? AND day = ? AND ts >= ? ORDER BY ts DESC");
  }

  /**
   * The device's rows with a time at or after {@code since} (and not after {@code until}'s day),
   * oldest first, from at most {@code maxMessages} messages (distinct sequence numbers): the newest.
   */
  public CompletionStage<List<TelemetryRow>> recent(String deviceId, Instant since, Instant until, int maxMessages) {
    LocalDate first = since.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate last = until.atZone(ZoneOffset.UTC).toLocalDate();
    Collector collector = new Collector(deviceId, maxMessages);
    return readDay(collector, last, first, since).thenApply(done -> collector.oldestFirst());
  }

  private CompletionStage<Void> readDay(Collector collector, LocalDate day, LocalDate first, Instant since) {
    if (day.isBefore(first) || collector.full) {
      return CompletableFuture.completedFuture(null);
    }
    return session.executeAsync(select.bind(collector.deviceId, day, since)
            .setPageSize(PAGE_SIZE)
            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
        .thenCompose(page -> readPages(collector, page))
        .thenCompose(done -> readDay(collector, day.minusDays(1), first, since));
  }

  private CompletionStage<Void> readPages(Collector collector, AsyncResultSet page) {
    for (Row row : page.currentPage()) {
      if (!collector.add(row)) {
        return CompletableFuture.completedFuture(null);
      }
    }
    if (page.hasMorePages()) {
      return page.fetchNextPage().thenCompose(next -> readPages(collector, next));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Rows newest first until the message cap; not shared between reads. */
  private static final class Collector {
    final String deviceId;
    final int maxMessages;
    final List<TelemetryRow> newestFirst = new ArrayList<>();
    final Set<Long> sequences = new HashSet<>();
    boolean full;

    Collector(String deviceId, int maxMessages) {
      this.deviceId = deviceId;
      this.maxMessages = maxMessages;
    }

    /** Takes the row unless it would start one message too many; false once full. */
    boolean add(Row row) {
      long sequence = row.getLong("seq");
      if (!sequences.contains(sequence)) {
        if (sequences.size() == maxMessages) {
          full = true;
          return false;
        }
        sequences.add(sequence);
      }
      newestFirst.add(new TelemetryRow(deviceId, row.getInstant("ts"), sequence, row.getString("metric"),
          row.getDouble("value"), row.getInstant("received_at")));
      return true;
    }

    List<TelemetryRow> oldestFirst() {
      Collections.reverse(newestFirst);
      return newestFirst;
    }
  }
}
