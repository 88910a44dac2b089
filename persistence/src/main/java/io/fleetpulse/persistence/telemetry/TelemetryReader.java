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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads a device's recent telemetry back, newest first from Cassandra so that a cap keeps the
 * newest messages: one day partition at a time from the newest day back, page by page,
 * asynchronously. Used when a device actor rebuilds its state. It reads every message since a
 * time (what the actor's time windows need) and, when those are fewer than a minimum (what its
 * model windows need), older ones until it has the minimum, whatever their age: the days before
 * come from {@code telemetry_days_by_device}, so a device that reports once a day costs one read
 * per day it reported, not one per day of the calendar. Reads at LOCAL_QUORUM, the writes' level,
 * so a read after a write sees it.
 *
 * <p>Rows are messages ({@code telemetry_messages_by_device_day}) and come back as their readings.
 * A keyspace migrated from before schema version 8 also has readings stored one row each in {@code
 * telemetry_by_device_day}: until those have expired (the TTL after the migration), each day is
 * read from both tables and merged.
 */
public final class TelemetryReader {

  private static final int PAGE_SIZE = 2000;

  private final CqlSession session;
  private final PreparedStatement select;
  private final PreparedStatement selectDays;
  /** Reads of telemetry_by_device_day, while it may hold readings (before the instant); else null. */
  private final PreparedStatement selectLegacy;
  private final Instant legacyUntil;

  /** A reader of a keyspace that holds telemetry of the current shape only. */
  public TelemetryReader(CqlSession session, String keyspace) {
    this(session, keyspace, Optional.empty());
  }

  /**
   * A reader that also reads {@code telemetry_by_device_day} (readings stored before schema
   * version 8) before {@code legacyUntil}.
   */
  public TelemetryReader(CqlSession session, String keyspace, Optional<Instant> legacyUntil) {
    this.session = session;
    this.select = session.prepare("SELECT ts, seq, readings, received_at FROM " + keyspace
        + ".telemetry_messages_by_device_day WHERE device_id = ? AND day = ? AND ts >= ? ORDER BY ts DESC");
    this.selectDays = session.prepare("SELECT day FROM " + keyspace
        + ".telemetry_days_by_device WHERE device_id = ? AND day < ?");
    this.legacyUntil = legacyUntil.orElse(null);
    this.selectLegacy = legacyUntil.isEmpty() ? null : session.prepare("SELECT ts, seq, metric, value, received_at FROM "
        + keyspace + ".telemetry_by_device_day WHERE device_id = ? AND day = ? AND ts >= ? ORDER BY ts DESC");
  }

  /** Whether days are read from telemetry_by_device_day too. */
  public boolean readsLegacyTelemetry() {
    return legacyUntil != null && Instant.now().isBefore(legacyUntil);
  }

  /**
   * The rows of the device's newest messages, oldest first: every message with a time at or after
   * {@code since} (and not after {@code until}'s day), and older ones while there are fewer than
   * {@code minMessages}; at most {@code maxMessages} messages (distinct sequence numbers) in all.
   */
  public CompletionStage<List<TelemetryRow>> recent(String deviceId, Instant since, Instant until, int minMessages,
      int maxMessages) {
    if (minMessages < 0 || minMessages > maxMessages) {
      throw new IllegalArgumentException("minMessages must be between 0 and maxMessages (" + maxMessages + "), not "
          + minMessages);
    }
    LocalDate first = since.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate last = until.atZone(ZoneOffset.UTC).toLocalDate();
    Collector collector = new Collector(deviceId, since, minMessages, maxMessages);
    // The first day's rows before `since` count only towards the minimum: read them too if there is one.
    Instant firstDayFrom = minMessages > 0 ? first.atStartOfDay(ZoneOffset.UTC).toInstant() : since;
    return readDays(collector, last, first, firstDayFrom)
        .thenCompose(done -> collector.wantsOlder() ? readOlderDays(collector, first) : CompletableFuture.completedFuture(null))
        .thenApply(done -> collector.oldestFirst());
  }

  /** Reads the days from {@code day} back to {@code first}, the first one from {@code firstDayFrom}. */
  private CompletionStage<Void> readDays(Collector collector, LocalDate day, LocalDate first, Instant firstDayFrom) {
    if (day.isBefore(first) || collector.full) {
      return CompletableFuture.completedFuture(null);
    }
    Instant from = day.equals(first) ? firstDayFrom : collector.since;
    return readDay(collector, day, from).thenCompose(done -> readDays(collector, day.minusDays(1), first, firstDayFrom));
  }

  /** The days before {@code first} that hold the device's telemetry, newest first, read until the minimum is met. */
  private CompletionStage<Void> readOlderDays(Collector collector, LocalDate first) {
    return session.executeAsync(selectDays.bind(collector.deviceId, first)
            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
        .thenCompose(page -> {
          List<LocalDate> days = new ArrayList<>();
          page.currentPage().forEach(row -> days.add(row.getLocalDate("day")));
          return readEach(collector, days.iterator());
        });
  }

  private CompletionStage<Void> readEach(Collector collector, java.util.Iterator<LocalDate> days) {
    if (!days.hasNext() || !collector.wantsOlder()) {
      return CompletableFuture.completedFuture(null);
    }
    LocalDate day = days.next();
    return readDay(collector, day, day.atStartOfDay(ZoneOffset.UTC).toInstant())
        .thenCompose(done -> readEach(collector, days));
  }

  private CompletionStage<Void> readDay(Collector collector, LocalDate day, Instant from) {
    CompletionStage<AsyncResultSet> messages = session.executeAsync(select.bind(collector.deviceId, day, from)
        .setPageSize(PAGE_SIZE)
        .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM));
    if (!readsLegacyTelemetry()) {
      return messages.thenCompose(page -> readPages(collector, page));
    }
    // Both shapes: the day's rows of each, merged newest first, then taken as one stream.
    CompletionStage<List<TelemetryRow>> legacy = session.executeAsync(selectLegacy.bind(collector.deviceId, day, from)
            .setPageSize(PAGE_SIZE)
            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
        .thenCompose(page -> all(page, new ArrayList<>(), TelemetryReader::legacyRow, collector.deviceId));
    return messages.thenCompose(page -> all(page, new ArrayList<>(), TelemetryReader::messageRows, collector.deviceId))
        .thenCombine(legacy, (current, old) -> {
          List<TelemetryRow> merged = new ArrayList<>(current.size() + old.size());
          merged.addAll(current);
          merged.addAll(old);
          merged.sort(NEWEST_FIRST);
          for (TelemetryRow row : merged) {
            if (!collector.add(row)) {
              break;
            }
          }
          return null;
        });
  }

  private static final java.util.Comparator<TelemetryRow> NEWEST_FIRST =
      java.util.Comparator.comparing(TelemetryRow::timestamp).thenComparingLong(TelemetryRow::sequence).reversed();

  private CompletionStage<Void> readPages(Collector collector, AsyncResultSet page) {
    for (Row row : page.currentPage()) {
      for (TelemetryRow reading : messageRows(row, collector.deviceId)) {
        if (!collector.add(reading)) {
          return CompletableFuture.completedFuture(null);
        }
      }
    }
    if (page.hasMorePages()) {
      return page.fetchNextPage().thenCompose(next -> readPages(collector, next));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Every row of the result, each made readings by {@code readings}. */
  private static CompletionStage<List<TelemetryRow>> all(AsyncResultSet page, List<TelemetryRow> into,
      java.util.function.BiFunction<Row, String, List<TelemetryRow>> readings, String deviceId) {
    for (Row row : page.currentPage()) {
      into.addAll(readings.apply(row, deviceId));
    }
    if (page.hasMorePages()) {
      return page.fetchNextPage().thenCompose(next -> all(next, into, readings, deviceId));
    }
    return CompletableFuture.completedFuture(into);
  }

  /** A message row's readings, in the order they were written. */
  private static List<TelemetryRow> messageRows(Row row, String deviceId) {
    Instant timestamp = row.getInstant("ts");
    long sequence = row.getLong("seq");
    Instant received = row.getInstant("received_at");
    Map<String, Double> readings = row.getMap("readings", String.class, Double.class);
    List<TelemetryRow> rows = new ArrayList<>(readings.size());
    readings.forEach((metric, value) -> rows.add(new TelemetryRow(deviceId, timestamp, sequence, metric, value, received)));
    return rows;
  }

  private static List<TelemetryRow> legacyRow(Row row, String deviceId) {
    return List.of(new TelemetryRow(deviceId, row.getInstant("ts"), row.getLong("seq"), row.getString("metric"),
        row.getDouble("value"), row.getInstant("received_at")));
  }

  /** Rows newest first until the message cap, or the minimum once past {@code since}; not shared between reads. */
  private static final class Collector {
    final String deviceId;
    final Instant since;
    final int minMessages;
    final int maxMessages;
    final List<TelemetryRow> newestFirst = new ArrayList<>();
    final Set<Long> sequences = new HashSet<>();
    boolean full;

    Collector(String deviceId, Instant since, int minMessages, int maxMessages) {
      this.deviceId = deviceId;
      this.since = since;
      this.minMessages = minMessages;
      this.maxMessages = maxMessages;
    }

    /**
     * Takes the row unless it would start one message too many (beyond the cap, or before {@code
     * since} once the minimum is met); false once full.
     */
    boolean add(TelemetryRow row) {
      long sequence = row.sequence();
      Instant timestamp = row.timestamp();
      if (!sequences.contains(sequence)) {
        if (sequences.size() == maxMessages || (timestamp.isBefore(since) && sequences.size() >= minMessages)) {
          full = true;
          return false;
        }
        sequences.add(sequence);
      }
      newestFirst.add(row);
      return true;
    }

    /** Whether days before the ones read may still hold messages it takes. */
    boolean wantsOlder() {
      return !full && sequences.size() < minMessages;
    }

    List<TelemetryRow> oldestFirst() {
      Collections.reverse(newestFirst);
      return newestFirst;
    }
  }
}
