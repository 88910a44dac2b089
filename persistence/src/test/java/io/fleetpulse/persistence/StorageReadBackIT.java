package io.fleetpulse.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.cassandra.EmbeddedCassandraSettings;
import io.fleetpulse.persistence.records.RecordsWriter;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import io.fleetpulse.persistence.telemetry.TelemetryReader;
import io.fleetpulse.persistence.telemetry.TelemetryRow;
import io.fleetpulse.persistence.telemetry.TelemetryWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node writes, read back from a real node: telemetry for recovery, records for the data teams. */
class StorageReadBackIT {

  // 3,000 messages one second apart from 23:10: they straddle midnight.
  private static final Instant T0 = Instant.parse("2026-11-29T23:10:00Z");

  @TempDir
  Path data;

  /** The distinct sequence numbers of a read, in the order read. */
  private static List<Long> sequences(java.util.concurrent.CompletionStage<List<TelemetryRow>> read) {
    return read.toCompletableFuture().join().stream().map(TelemetryRow::sequence).distinct().toList();
  }

  @Test
  void telemetry_reads_back_newest_first_across_days_and_records_land_in_every_table_of_their_queries() throws Exception {
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    EmbeddedCassandraSettings embedded = settings.embedded()
        .isolated(Path.of("../cassandra-runtime/target/lib"), data);
    String keyspace = settings.keyspace();
    try (CassandraLauncher cassandra = CassandraLauncher.start(embedded);
        CqlSession session = CqlSession.builder().withConfigLoader(SchemaMigrations.sessionConfig())
                .addContactPoint(cassandra.cqlAddress()).withLocalDatacenter(settings.localDatacenter()).build()) {
      new SchemaMigrations(session, keyspace).migrate(settings.replication());

      // Few slots and rows gathered per device and day while they wait: batches form.
      TelemetryWriter writer = new TelemetryWriter(session, keyspace, Duration.ofDays(7), 4, 10_000, 32, 1000);
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int message = 0; message < 3000; message++) {
        Instant at = T0.plusSeconds(message);
        writes.add(writer.write(List.of(
            new TelemetryRow("rm-1", at, 1000 + message, "vibration", message, at.plusMillis(5)),
            new TelemetryRow("rm-1", at, 1000 + message, "speed", -message, at.plusMillis(5)))).toCompletableFuture());
      }
      writes.add(writer.write(List.of(new TelemetryRow("rm-2", T0, 1, "vibration", 1, T0))).toCompletableFuture());
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      assertThat(writer.rowsStored()).as("one row per message").isEqualTo(3001);
      assertThat(writer.requests()).as("rows of one partition gathered while waiting").isLessThan(3001);
      assertThat(session.execute("SELECT readings FROM " + keyspace + ".telemetry_messages_by_device_day WHERE device_id = 'rm-1'"
          + " AND day = ? AND ts = ?", LocalDate.parse("2026-11-29"), T0.plusSeconds(1)).one().getMap("readings", String.class, Double.class))
          .containsExactly(java.util.Map.entry("speed", -1.0), java.util.Map.entry("vibration", 1.0));
      // One metric of a day, as docs/data-model.md shows the data teams.
      assertThat(session.execute("SELECT ts, readings['vibration'] AS vibration FROM " + keyspace
          + ".telemetry_messages_by_device_day WHERE device_id = 'rm-1' AND day = ? AND ts >= ? AND ts < ?",
          LocalDate.parse("2026-11-29"), T0, T0.plusSeconds(2)).all())
          .extracting(row -> row.getDouble("vibration")).containsExactly(0.0, 1.0);

      TelemetryReader reader = new TelemetryReader(session, keyspace);
      Instant end = T0.plusSeconds(3000);
      // Everything since 23:50: 600 s before midnight, 1,800 after.
      List<TelemetryRow> sinceTen = reader.recent("rm-1", T0.plusSeconds(600), end, 0, 10_000).toCompletableFuture().join();
      assertThat(sinceTen).hasSize(2 * 2400);
      assertThat(sinceTen.get(0).timestamp()).isEqualTo(T0.plusSeconds(600));
      assertThat(sinceTen.get(sinceTen.size() - 1).timestamp()).isEqualTo(T0.plusSeconds(2999));
      assertThat(sinceTen).extracting(TelemetryRow::timestamp).isSorted();
      assertThat(sinceTen.get(0).receivedAt()).isEqualTo(T0.plusSeconds(600).plusMillis(5));
      assertThat(sinceTen).allSatisfy(row -> assertThat(row.deviceId()).isEqualTo("rm-1"));

      // Capped at 500 messages: the newest 500, whole (both rows of each).
      List<TelemetryRow> capped = reader.recent("rm-1", T0, end, 0, 500).toCompletableFuture().join();
      assertThat(capped).hasSize(1000);
      assertThat(capped.stream().mapToLong(TelemetryRow::sequence).min().orElseThrow()).isEqualTo(1000 + 2500);
      assertThat(capped.stream().mapToLong(TelemetryRow::sequence).max().orElseThrow()).isEqualTo(1000 + 2999);

      assertThat(reader.recent("rm-9", T0, end, 0, 100).toCompletableFuture().join()).isEmpty();
      assertThat(reader.recent("rm-9", T0, end, 100, 100).toCompletableFuture().join()).isEmpty();

      // A device that reports seldom (one cycle per flight): its newest messages lie days apart.
      // 1-3 on Nov 10, 4-5 on Nov 20, 6 two hours before T0 and 7 at T0 (Nov 29).
      Instant[] times = {Instant.parse("2026-11-10T08:00:00Z"), Instant.parse("2026-11-10T12:00:00Z"),
          Instant.parse("2026-11-10T16:00:00Z"), Instant.parse("2026-11-20T09:00:00Z"),
          Instant.parse("2026-11-20T17:00:00Z"), T0.minusSeconds(7200), T0};
      for (int i = 0; i < times.length; i++) {
        writer.write(List.of(new TelemetryRow("tf-1", times[i], i + 1, "sensor-2", 640 + i, times[i]),
            new TelemetryRow("tf-1", times[i], i + 1, "sensor-3", 1580 + i, times[i]))).toCompletableFuture().join();
      }
      assertThat(session.execute("SELECT day FROM " + keyspace + ".telemetry_days_by_device WHERE device_id = 'tf-1'")
          .all()).extracting(row -> row.getLocalDate("day")).as("each day recorded once, newest first")
          .containsExactly(LocalDate.parse("2026-11-29"), LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-10"));
      Instant lookback = T0.minusSeconds(900);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 0, 100))).as("the lookback alone").containsExactly(7L);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 1, 100))).containsExactly(7L);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 2, 100))).as("the same day, before the lookback")
          .containsExactly(6L, 7L);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 5, 100))).as("older days, from their record")
          .containsExactly(3L, 4L, 5L, 6L, 7L);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 100, 100))).as("all there is")
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(sequences(reader.recent("tf-1", lookback, end, 4, 4))).containsExactly(4L, 5L, 6L, 7L);
      assertThatThrownBy(() -> reader.recent("tf-1", lookback, end, 5, 4))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minMessages must be between 0 and maxMessages");
      assertThat(reader.recent("tf-1", lookback, end, 5, 100).toCompletableFuture().join())
          .as("whole messages, oldest first").hasSize(10).extracting(TelemetryRow::timestamp).isSorted();
      // A busy device's minimum is met inside the lookback: nothing older is read.
      assertThat(reader.recent("rm-1", T0.plusSeconds(2990), end, 5, 100).toCompletableFuture().join())
          .extracting(TelemetryRow::sequence).containsOnly(1000L + 2990, 1000L + 2991, 1000L + 2992, 1000L + 2993,
              1000L + 2994, 1000L + 2995, 1000L + 2996, 1000L + 2997, 1000L + 2998, 1000L + 2999);

      // A keyspace migrated from before version 8: readings stored one row each are read too, merged.
      for (int message = 1; message <= 3; message++) {
        for (String metric : List.of("vibration", "speed")) {
          session.execute("INSERT INTO " + keyspace + ".telemetry_by_device_day (device_id, day, ts, seq, metric, value,"
              + " received_at) VALUES ('rm-old', ?, ?, ?, ?, ?, ?)", LocalDate.parse("2026-11-29"),
              T0.minusSeconds(10 - message), (long) message, metric, (double) message, T0);
        }
      }
      for (int message = 4; message <= 5; message++) {
        Instant at = T0.minusSeconds(10 - message);
        writer.write(List.of(new TelemetryRow("rm-old", at, message, "vibration", message, at),
            new TelemetryRow("rm-old", at, message, "speed", message, at))).toCompletableFuture().join();
      }
      TelemetryReader both = new TelemetryReader(session, keyspace, java.util.Optional.of(Instant.now().plusSeconds(3600)));
      assertThat(both.readsLegacyTelemetry()).isTrue();
      assertThat(both.recent("rm-old", T0.minusSeconds(60), end, 0, 100).toCompletableFuture().join())
          .as("both shapes, oldest first").hasSize(10).extracting(TelemetryRow::sequence)
          .containsExactly(1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L);
      assertThat(sequences(both.recent("rm-old", T0.minusSeconds(60), end, 0, 3))).as("the newest 3 of both")
          .containsExactly(3L, 4L, 5L);
      assertThat(sequences(reader.recent("rm-old", T0.minusSeconds(60), end, 0, 100))).as("current shape only")
          .containsExactly(4L, 5L);
      TelemetryReader expired = new TelemetryReader(session, keyspace, java.util.Optional.of(Instant.now().minusSeconds(1)));
      assertThat(expired.readsLegacyTelemetry()).as("the legacy readings' TTL has passed").isFalse();

      RecordsWriter records = new RecordsWriter(session, keyspace, 4, 100, 32, RecordsWriter.Retry.NONE);
      Instant minute = Instant.parse("2026-11-29T23:59:00Z");
      RecordsWriter.RollupRow rollup = new RecordsWriter.RollupRow("rm-1", "plant-a", minute, "vibration", 60, 2.5, 1, 4, 0.5);
      records.rollup(rollup).toCompletableFuture().join();
      records.rollup(rollup).toCompletableFuture().join(); // rewritten after a restart: still one row
      Row byDevice = session.execute("SELECT * FROM " + keyspace + ".rollups_by_device_day WHERE device_id = 'rm-1'"
          + " AND day = ?", LocalDate.parse("2026-11-29")).one();
      assertThat(byDevice.getInstant("minute")).isEqualTo(minute);
      assertThat(byDevice.getLong("count")).isEqualTo(60);
      assertThat(byDevice.getDouble("stddev")).isEqualTo(0.5);
      List<Row> bySite = session.execute("SELECT * FROM " + keyspace + ".rollups_by_site_hour WHERE site = 'plant-a'"
          + " AND hour = ?", Instant.parse("2026-11-29T23:00:00Z")).all();
      assertThat(bySite).hasSize(1);
      assertThat(bySite.get(0).getString("device_id")).isEqualTo("rm-1");

      // An older version of the same minute (fewer readings: written before a late reading came,
      // or replayed from a lookback that starts inside the minute) arriving last does not win.
      records.rollup(new RecordsWriter.RollupRow("rm-1", "plant-a", minute, "vibration", 42, 2.0, 1, 3, 0.4))
          .toCompletableFuture().join();
      assertThat(session.execute("SELECT count FROM " + keyspace + ".rollups_by_device_day WHERE device_id = 'rm-1'"
          + " AND day = ?", LocalDate.parse("2026-11-29")).one().getLong("count")).isEqualTo(60);
      assertThat(session.execute("SELECT count FROM " + keyspace + ".rollups_by_site_hour WHERE site = 'plant-a'"
          + " AND hour = ?", Instant.parse("2026-11-29T23:00:00Z")).one().getLong("count")).isEqualTo(60);
      // A newer one (the late reading counted) replaces it.
      records.rollup(new RecordsWriter.RollupRow("rm-1", "plant-a", minute, "vibration", 61, 2.6, 1, 9, 0.6))
          .toCompletableFuture().join();
      assertThat(session.execute("SELECT count, max FROM " + keyspace + ".rollups_by_device_day WHERE device_id = 'rm-1'"
          + " AND day = ?", LocalDate.parse("2026-11-29")).one().getDouble("max")).isEqualTo(9);

      Instant at = Instant.parse("2026-11-30T00:00:01Z");
      records.prediction(new RecordsWriter.PredictionRow("rm-1", "plant-a", at, "rul", "2", 4242, List.of(0.5f, 17f)))
          .toCompletableFuture().join();
      Row prediction = session.execute("SELECT * FROM " + keyspace + ".predictions_by_device_day WHERE device_id = 'rm-1'"
          + " AND day = ?", LocalDate.parse("2026-11-30")).one();
      assertThat(prediction.getList("outputs", Float.class)).containsExactly(0.5f, 17f);
      assertThat(prediction.getLong("seq")).isEqualTo(4242);
      assertThat(prediction.getString("model_version")).isEqualTo("2");
      assertThat(session.execute("SELECT device_id FROM " + keyspace + ".predictions_by_site_hour WHERE site = 'plant-a'"
          + " AND hour = ?", Instant.parse("2026-11-30T00:00:00Z")).one().getString("device_id")).isEqualTo("rm-1");

      Instant registered = Instant.parse("2026-11-29T08:00:00Z");
      records.device(new RecordsWriter.DeviceRow("rm-1", "plant-a", "rotating-machine", true, registered))
          .toCompletableFuture().join();
      records.device(new RecordsWriter.DeviceRow("rm-1", "plant-a", "rotating-machine", true, registered.plusSeconds(3600)))
          .toCompletableFuture().join();
      Row device = session.execute("SELECT * FROM " + keyspace + ".devices WHERE device_id = 'rm-1'").one();
      assertThat(device.getInstant("registered_at")).as("the first registration wins").isEqualTo(registered);
      assertThat(device.getBoolean("auto_provisioned")).isTrue();
      assertThat(session.execute("SELECT profile FROM " + keyspace + ".devices_by_site WHERE site = 'plant-a'"
          + " AND device_id = 'rm-1'").one().getString("profile")).isEqualTo("rotating-machine");
      assertThat(records.inFlight()).isZero();

      // A burst of predictions from three devices behind one slot: the rows waiting are gathered
      // per partition into batches, so far fewer requests go out than rows; every row lands in
      // both tables, and a window predicted again (the same row, rewritten) keeps its newer outputs.
      RecordsWriter gathering = new RecordsWriter(session, keyspace, 1, 10_000, 32, RecordsWriter.Retry.NONE);
      Instant burst = Instant.parse("2026-11-30T05:00:00Z");
      List<CompletableFuture<Void>> burstWrites = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        burstWrites.add(gathering.prediction(new RecordsWriter.PredictionRow("burst-" + i % 3, "plant-b",
            burst.plusMillis(i), "anomaly:value", "msknn-3", i, List.of((float) i, 1f))).toCompletableFuture());
        if (i % 100 == 99) {
          // The newer outputs are the smaller: in one batch (one timestamp) the larger would win.
          burstWrites.add(gathering.prediction(new RecordsWriter.PredictionRow("burst-" + i % 3, "plant-b",
              burst.plusMillis(i), "anomaly:value", "msknn-3", i, List.of((float) i, 0f))).toCompletableFuture());
        }
      }
      CompletableFuture.allOf(burstWrites.toArray(CompletableFuture[]::new)).join();
      assertThat(gathering.requests()).as("requests for 1,515 rows in two tables").isLessThan(3030 / 4);
      for (int unit = 0; unit < 3; unit++) {
        List<Row> rows = session.execute("SELECT seq, outputs FROM " + keyspace + ".predictions_by_device_day"
            + " WHERE device_id = ? AND day = ?", "burst-" + unit, LocalDate.parse("2026-11-30")).all();
        assertThat(rows).hasSize(500);
        for (Row row : rows) {
          float rewritten = row.getLong("seq") % 100 == 99 ? 0f : 1f;
          assertThat(row.getList("outputs", Float.class)).as("burst-%d seq %d", unit, row.getLong("seq"))
              .containsExactly((float) row.getLong("seq"), rewritten);
        }
      }
      List<Row> siteRows = session.execute("SELECT outputs FROM " + keyspace + ".predictions_by_site_hour"
          + " WHERE site = 'plant-b' AND hour = ?", burst).all();
      assertThat(siteRows).hasSize(1500);
      assertThat(siteRows).filteredOn(row -> row.getList("outputs", Float.class).equals(List.of(
          row.getList("outputs", Float.class).get(0), 0f))).hasSize(15);
      // Without gathering (max-batch 1) every row is its own request.
      RecordsWriter single = new RecordsWriter(session, keyspace, 1, 10_000, 1, RecordsWriter.Retry.NONE);
      List<CompletableFuture<Void>> singles = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        singles.add(single.prediction(new RecordsWriter.PredictionRow("single", "plant-c", burst.plusMillis(i),
            "anomaly:value", "msknn-3", i, List.of(1f, 0f))).toCompletableFuture());
      }
      CompletableFuture.allOf(singles.toArray(CompletableFuture[]::new)).join();
      assertThat(single.requests()).isEqualTo(200);

      // A record the writer keeps refusing (its two statements never fit a queue of one) is tried
      // three times, then its stage fails with the refusal.
      RecordsWriter refusing = new RecordsWriter(session, keyspace, 1, 1, 32,
          new RecordsWriter.Retry(3, java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(20)));
      assertThat(refusing.rollup(rollup).toCompletableFuture())
          .failsWithin(java.time.Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(io.fleetpulse.persistence.write.StoreBusyException.class);
      assertThat(refusing.retries()).isEqualTo(2);

      // The audit log: entries across midnight read back newest first, bounded by the range and
      // the limit.
      io.fleetpulse.persistence.audit.CassandraAuditLog audit =
          new io.fleetpulse.persistence.audit.CassandraAuditLog(session, keyspace);
      for (int i = 0; i < 5; i++) {
        audit.append(new io.fleetpulse.api.audit.AuditEntry(T0.plusSeconds(i * 1200L), "ada", "session", List.of("operator"),
            "alert.acknowledge", "POST /api/devices/rm-1/alerts/x/acknowledge", 200, "ok", "10.0.0." + i))
            .toCompletableFuture().join();
      }
      List<io.fleetpulse.api.audit.AuditEntry> latest =
          audit.between(T0, T0.plusSeconds(6000), 3).toCompletableFuture().join();
      assertThat(latest).extracting(io.fleetpulse.api.audit.AuditEntry::address)
          .containsExactly("10.0.0.4", "10.0.0.3", "10.0.0.2");
      assertThat(audit.between(T0.plusSeconds(1), T0.plusSeconds(3600), 10).toCompletableFuture().join())
          .extracting(io.fleetpulse.api.audit.AuditEntry::address).containsExactly("10.0.0.2", "10.0.0.1");
      assertThat(latest.get(0).roles()).containsExactly("operator");
    }
  }

}
