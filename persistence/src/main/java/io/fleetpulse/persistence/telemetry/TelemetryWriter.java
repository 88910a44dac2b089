package io.fleetpulse.persistence.telemetry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.fleetpulse.persistence.write.BoundedWriter;
import io.fleetpulse.persistence.write.StoreBusyException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes telemetry durably and fast: one row per message in {@code telemetry_messages_by_device_day}
 * (its readings in one frozen map; a message whose readings carry different times gets a row per
 * time), prepared inserts with the configured TTL, sent through a {@link BoundedWriter}: rows of
 * one device and day that wait for a slot are gathered into one unlogged single-partition batch,
 * which Cassandra applies as one mutation (one commit-log entry, one sync wait), and a slow or
 * absent Cassandra makes writes fail or be refused ({@link StoreBusyException}), so the gateway
 * stops acknowledging and the broker holds the messages; the heap never fills. Rows are keyed by
 * (device, day, time, sequence): writing a redelivered message again overwrites the same row, so
 * stored telemetry is exactly once. Thread-safe.
 */
public final class TelemetryWriter {

  private final BoundedWriter writer;
  private final PreparedStatement insert;
  private final int ttlSeconds;
  private final PreparedStatement insertDay;
  private final int dayTtlSeconds;
  private final int dayIndexCache;
  /**
   * Per device, the newest day whose record in telemetry_days_by_device is written or on its way
   * (taken when a write carries it, given back when that write fails, so the next message of the
   * day carries it again). Without the "on its way", every message of a device sent before its
   * first write of the day answered carried the record too: twice the rows while Cassandra is slow.
   */
  private final ConcurrentHashMap<String, LocalDate> recordedDays = new ConcurrentHashMap<>();
  private final AtomicLong rowsStored = new AtomicLong();

  /** A writer that sends each message's row alone (no gathering). */
  public TelemetryWriter(CqlSession session, String keyspace, Duration ttl, int maxInFlight, int queueCapacity,
      int dayIndexCache) {
    this(session, keyspace, ttl, maxInFlight, queueCapacity, 1, dayIndexCache);
  }

  public TelemetryWriter(CqlSession session, String keyspace, Duration ttl, int maxInFlight, int queueCapacity,
      int maxBatch, int dayIndexCache) {
    if (dayIndexCache < 1) {
      throw new IllegalArgumentException("fleetpulse.persistence.telemetry.day-index-cache must be at least 1");
    }
    this.writer = new BoundedWriter("telemetry", session, maxInFlight, queueCapacity, maxBatch);
    this.ttlSeconds = (int) ttl.toSeconds();
    // A day's record outlives the day's last rows: they are written up to a day after its first.
    this.dayTtlSeconds = (int) ttl.plusDays(1).toSeconds();
    this.dayIndexCache = dayIndexCache;
    this.insert = session.prepare("INSERT INTO " + keyspace + ".telemetry_messages_by_device_day"
        + " (device_id, day, ts, seq, readings, received_at) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
    this.insertDay = session.prepare("INSERT INTO " + keyspace + ".telemetry_days_by_device"
        + " (device_id, day) VALUES (?, ?) USING TTL ?");
  }

  /** A stored row: one device's readings of one time in one message. */
  private record MessageKey(String deviceId, LocalDate day, Instant timestamp, long sequence) {}

  private record Partition(String table, String deviceId, LocalDate day) {}

  /**
   * Stores one message's readings (or several messages'); completes when every row is written
   * (LOCAL_QUORUM).
   */
  public CompletionStage<Void> write(List<TelemetryRow> readings) {
    Map<MessageKey, Map<String, Double>> rows = new LinkedHashMap<>();
    Map<MessageKey, Instant> received = new LinkedHashMap<>();
    for (TelemetryRow reading : readings) {
      MessageKey key = new MessageKey(reading.deviceId(), reading.day(), reading.timestamp(), reading.sequence());
      rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(reading.metric(), reading.value());
      received.putIfAbsent(key, reading.receivedAt());
    }
    List<BoundedWriter.Keyed> statements = new ArrayList<>(rows.size() + 1);
    List<MessageKey> newDays = new ArrayList<>(1);
    for (Map.Entry<MessageKey, Map<String, Double>> row : rows.entrySet()) {
      MessageKey key = row.getKey();
      statements.add(new BoundedWriter.Keyed(new Partition("messages", key.deviceId(), key.day()), key,
          insert.bind(key.deviceId(), key.day(), key.timestamp(), key.sequence(), row.getValue(), received.get(key), ttlSeconds)
              .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
              .setIdempotent(true)));
      if (newDays.stream().noneMatch(d -> sameDay(d, key)) && takeDay(key)) {
        newDays.add(key);
      }
    }
    for (MessageKey day : newDays) {
      statements.add(new BoundedWriter.Keyed(new Partition("days", day.deviceId(), null), day.day(),
          insertDay.bind(day.deviceId(), day.day(), dayTtlSeconds)
              .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
              .setIdempotent(true)));
    }
    return writer.writeKeyed(statements).whenComplete((done, failure) -> {
      if (failure == null) {
        rowsStored.addAndGet(rows.size());
      } else {
        newDays.forEach(day -> recordedDays.remove(day.deviceId(), day.day()));
      }
    });
  }

  /**
   * Whether this write records the key's day: true unless that day (or a later one) is recorded or
   * on its way already. Forgets every device when the bound is reached.
   */
  private boolean takeDay(MessageKey key) {
    String device = key.deviceId();
    LocalDate day = key.day();
    LocalDate known = recordedDays.get(device);
    if (day.equals(known)) {
      return false;
    }
    if (known != null && day.isBefore(known)) {
      return true; // a late message of an older day: its record is written again (the same row)
    }
    if (known == null && recordedDays.size() >= dayIndexCache) {
      recordedDays.clear();
    }
    boolean taken = known == null ? recordedDays.putIfAbsent(device, day) == null : recordedDays.replace(device, known, day);
    return taken || !day.equals(recordedDays.get(device));
  }

  private static boolean sameDay(MessageKey a, MessageKey b) {
    return a.deviceId().equals(b.deviceId()) && a.day().equals(b.day());
  }

  /** Message rows written since start (a redelivered message's row counts again). */
  public long rowsStored() {
    return rowsStored.get();
  }

  /** Requests sent since start (a gathered batch counts once). */
  public long requests() {
    return writer.requests();
  }

  /** Requests at Cassandra plus rows waiting to be sent. */
  public int inFlight() {
    return writer.inFlight();
  }
}
