package io.fleetpulse.persistence.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.cassandra.EmbeddedCassandraSettings;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import io.fleetpulse.persistence.write.StoreBusyException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The telemetry write path against a real node: exactly once, bounded, and honest in an outage. */
class TelemetryWriterIT {

  private static final Instant T0 = Instant.parse("2026-11-29T23:59:58Z"); // messages straddle midnight

  @TempDir
  Path data;

  @Test
  void stores_each_message_once_refuses_beyond_its_bound_and_fails_while_cassandra_is_down() throws Exception {
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    EmbeddedCassandraSettings embedded = settings.embedded()
        .isolated(Path.of("../cassandra-runtime/target/lib"), data);
    CassandraLauncher cassandra = CassandraLauncher.start(embedded);
    try (CqlSession session = CqlSession.builder().withConfigLoader(SchemaMigrations.sessionConfig())
            .addContactPoint(cassandra.cqlAddress()).withLocalDatacenter(settings.localDatacenter()).build()) {
      new SchemaMigrations(session, settings.keyspace()).migrate(settings.replication());
      TelemetryWriter writer = new TelemetryWriter(session, settings.keyspace(), Duration.ofDays(7), 16, 64, 1000);

      // 1,000 messages of 5 readings from 10 devices: 16 requests at Cassandra, 64 waiting at most.
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      int refused = 0;
      for (int message = 0; message < 1000; message++) {
        while (true) {
          CompletableFuture<Void> write = writer.write(message(message)).toCompletableFuture();
          if (write.isCompletedExceptionally() && isBusy(write)) {
            refused++;
            Thread.sleep(1); // the caller's back-off: a busy store refuses, it never queues
            continue;
          }
          writes.add(write);
          break;
        }
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      assertThat(writer.inFlight()).isZero();
      assertThat(refused).as("the queue of 64 requests was full at least once").isPositive();

      // A redelivery of 100 messages writes the same rows again: still stored once.
      for (int message = 0; message < 100; message++) {
        writer.write(message(message)).toCompletableFuture().join();
      }
      assertThat(storedRows(session, settings.keyspace())).as("one row per message").isEqualTo(1000);

      // Cassandra goes away: writes fail (the gateway would not acknowledge) instead of hanging.
      cassandra.kill();
      CompletableFuture<Void> duringOutage = writer.write(message(5000)).toCompletableFuture();
      assertThat(duringOutage).failsWithin(Duration.ofSeconds(30));

      // It comes back on the same address: the driver reconnects and the retried write lands.
      cassandra = CassandraLauncher.start(embedded);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      boolean stored = false;
      while (!stored && System.nanoTime() < deadline) {
        try {
          writer.write(message(5000)).toCompletableFuture().join();
          stored = true;
        } catch (CompletionException notYet) {
          Thread.sleep(500);
        }
      }
      assertThat(stored).as("the write succeeded after Cassandra returned").isTrue();
      assertThat(storedRows(session, settings.keyspace())).isEqualTo(1001);
    } finally {
      cassandra.close();
    }
  }

  private static boolean isBusy(CompletableFuture<Void> write) {
    try {
      write.join();
      return false;
    } catch (CompletionException e) {
      return e.getCause() instanceof StoreBusyException;
    }
  }

  private static List<TelemetryRow> message(int message) {
    String device = "rm-" + (message % 10);
    Instant at = T0.plusMillis(message * 10L);
    List<TelemetryRow> rows = new ArrayList<>();
    for (String metric : List.of("vibration", "bearing-temperature", "motor-current", "pressure", "speed")) {
      rows.add(new TelemetryRow(device, at, message, metric, message * 0.1, at));
    }
    return rows;
  }

  private static long storedRows(CqlSession session, String keyspace) {
    long total = 0;
    for (int device = 0; device < 10; device++) {
      for (String day : List.of("2026-11-29", "2026-11-30", "2026-12-01")) {
        total += session.execute("SELECT count(*) AS n FROM " + keyspace + ".telemetry_messages_by_device_day"
            + " WHERE device_id = ? AND day = ?", "rm-" + device, java.time.LocalDate.parse(day)).one().getLong("n");
      }
    }
    return total;
  }

}
