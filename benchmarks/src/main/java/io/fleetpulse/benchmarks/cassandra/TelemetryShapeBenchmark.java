package io.fleetpulse.benchmarks.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import io.fleetpulse.persistence.telemetry.TelemetryRow;
import io.fleetpulse.persistence.telemetry.TelemetryWriter;
import io.fleetpulse.persistence.write.BoundedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a stored telemetry message costs Cassandra, by the shape it is written in, against one
 * embedded node configured as the node runs it (synced commit log, {@code concurrent-writes} as
 * given), in alternating rounds so that drift on a noisy machine hits every shape alike. The
 * producer keeps {@code outstanding} messages of five readings from {@code devices} devices
 * unanswered at most, as the gateway's in-flight window does. Shapes:
 * <ul>
 *   <li>{@code reading-rows}: one row per reading, a message's rows one unlogged batch (how the
 *       node stored telemetry before schema version 8);
 *   <li>{@code message-row}: the node's {@link TelemetryWriter} (one row per message, rows of one
 *       device and day that wait gathered into one batch);
 *   <li>{@code cross-batch}: the message rows, up to 64 waiting ones of any devices in one unlogged
 *       batch (many partitions, so many mutations in one request);
 *   <li>{@code journal-group}: up to 64 waiting messages of any devices as rows of ONE partition,
 *       one mutation (what an ingest journal written per group would cost; not what the node does).
 * </ul>
 * Each request path has {@code in-flight} requests at Cassandra at most. Prints messages per
 * second, requests per message and Cassandra's CPU microseconds per message (from /proc).
 *
 * <p>Usage: {@code TelemetryShapeBenchmark [messages per round=30000] [devices=1000] [rounds=2]
 * [in-flight=32] [outstanding=1000] [concurrent-writes=64] [cassandra runtime classpath]}
 */
public final class TelemetryShapeBenchmark {

  private TelemetryShapeBenchmark() {}

  private static final List<String> METRICS = List.of("vibration", "bearing-temperature", "motor-current", "pressure", "speed");
  private static final List<String> SHAPES = List.of("reading-rows", "message-row", "cross-batch", "journal-group");

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int devices = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int outstanding = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
    int concurrentWrites = args.length > 5 ? Integer.parseInt(args[5]) : 64;
    Path runtime = Path.of(args.length > 6 ? args[6] : "cassandra-runtime/target/lib");
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    Path data = Files.createTempDirectory("telemetry-shape-bench");
    String keyspace = settings.keyspace();
    try (CassandraLauncher cassandra = CassandraLauncher.start(
            settings.embedded().isolated(runtime, data).withConcurrentWrites(concurrentWrites));
        CqlSession session = CqlSession.builder().addContactPoint(cassandra.cqlAddress())
            .withLocalDatacenter(settings.localDatacenter()).build()) {
      new SchemaMigrations(session, keyspace).migrate(settings.replication());
      session.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".bench_journal (writer text, grp bigint, idx int,"
          + " device_id text, ts timestamp, seq bigint, readings frozen<map<text, double>>,"
          + " PRIMARY KEY ((writer, grp), idx))");
      Shapes shapes = new Shapes(session, keyspace, inFlight);
      for (String shape : SHAPES) {
        shapes.run(shape, messages / 10, devices, outstanding, "warm"); // JIT and memtables, not counted
      }
      double[] seconds = new double[SHAPES.size()];
      double[] cpu = new double[SHAPES.size()];
      long[] requests = new long[SHAPES.size()];
      long[] failed = new long[SHAPES.size()];
      for (int round = 0; round < rounds; round++) {
        for (int s = 0; s < SHAPES.size(); s++) {
          long cpuBefore = cpuTicks(cassandra.pid());
          Result result = shapes.run(SHAPES.get(s), messages, devices, outstanding, "r" + round);
          double cpuMicros = (cpuTicks(cassandra.pid()) - cpuBefore) * 1e6 / TICKS_PER_SECOND;
          seconds[s] += result.seconds();
          cpu[s] += cpuMicros;
          requests[s] += result.requests();
          failed[s] += result.failed();
          System.out.printf(Locale.ROOT, "round %d, %-13s: %.0f messages/s, %.2f requests/message, %.0f us Cassandra CPU/message, %d failed%n",
              round + 1, SHAPES.get(s), messages / result.seconds(), (double) result.requests() / messages,
              cpuMicros / messages, result.failed());
        }
      }
      long total = (long) messages * rounds;
      for (int s = 0; s < SHAPES.size(); s++) {
        System.out.printf(Locale.ROOT, "total, %-13s: %.0f messages/s, %.2f requests/message, %.0f us Cassandra CPU/message, %d failed%n",
            SHAPES.get(s), total / seconds[s], (double) requests[s] / total, cpu[s] / total, failed[s]);
      }
      System.out.printf(Locale.ROOT, "message-row / reading-rows: %.2fx messages/s; cross-batch / message-row: %.2fx;"
              + " journal-group / message-row: %.2fx (%d devices, %d in flight, %d outstanding, concurrent_writes %d)%n",
          seconds[0] / seconds[1], seconds[1] / seconds[2], seconds[1] / seconds[3], devices, inFlight, outstanding,
          concurrentWrites);
    }
  }

  private record Result(double seconds, long requests, long failed) {}

  /** The three write paths, each with its own bound. */
  private static final class Shapes {
    final CqlSession session;
    final String keyspace;
    final int inFlight;
    final PreparedStatement readingRow;
    final PreparedStatement journalRow;
    final PreparedStatement messageRow;

    Shapes(CqlSession session, String keyspace, int inFlight) {
      this.session = session;
      this.keyspace = keyspace;
      this.inFlight = inFlight;
      this.readingRow = session.prepare("INSERT INTO " + keyspace + ".telemetry_by_device_day"
          + " (device_id, day, ts, seq, metric, value, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
      this.messageRow = session.prepare("INSERT INTO " + keyspace + ".telemetry_messages_by_device_day"
          + " (device_id, day, ts, seq, readings, received_at) VALUES (?, ?, ?, ?, ?, ?) USING TTL 3600");
      this.journalRow = session.prepare("INSERT INTO " + keyspace + ".bench_journal"
          + " (writer, grp, idx, device_id, ts, seq, readings) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL 3600");
    }

    Result run(String shape, int messages, int devices, int outstanding, String prefix) throws InterruptedException {
      TelemetryWriter writer = new TelemetryWriter(session, keyspace, Duration.ofHours(1), inFlight, 100_000, 32, 200_000);
      BoundedWriter plain = new BoundedWriter("reading-rows", session, inFlight, 100_000);
      BoundedWriter journal = new BoundedWriter("journal-group", session, inFlight, 100_000, 64);
      BoundedWriter cross = new BoundedWriter("cross-batch", session, inFlight, 100_000, 64);
      Semaphore window = new Semaphore(outstanding);
      AtomicLong failed = new AtomicLong();
      Instant start = Instant.now();
      LocalDate day = start.atZone(ZoneOffset.UTC).toLocalDate();
      long started = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        window.acquire();
        String device = shape + "-" + prefix + "-" + i % devices;
        Instant at = start.plusMillis(i);
        CompletionStage<Void> write = switch (shape) {
          case "reading-rows" -> {
            BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED)
                .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM).setIdempotence(true);
            for (int m = 0; m < METRICS.size(); m++) {
              batch.addStatement(readingRow.bind(device, day, at, (long) i, METRICS.get(m), i * 0.01 + m, at, 3600));
            }
            yield plain.write(List.<Statement<?>>of(batch.build()));
          }
          case "message-row" -> {
            List<TelemetryRow> rows = new ArrayList<>(METRICS.size());
            for (int m = 0; m < METRICS.size(); m++) {
              rows.add(new TelemetryRow(device, at, i, METRICS.get(m), i * 0.01 + m, at));
            }
            yield writer.write(rows);
          }
          case "cross-batch" -> {
            java.util.Map<String, Double> readings = new java.util.LinkedHashMap<>();
            for (int m = 0; m < METRICS.size(); m++) {
              readings.put(METRICS.get(m), i * 0.01 + m);
            }
            // Every waiting row in one batch, whatever its partition.
            yield cross.writeKeyed(List.of(new BoundedWriter.Keyed("any", null, messageRow.bind(device, day, at, (long) i,
                readings, at).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM).setIdempotent(true))));
          }
          default -> {
            java.util.Map<String, Double> readings = new java.util.LinkedHashMap<>();
            for (int m = 0; m < METRICS.size(); m++) {
              readings.put(METRICS.get(m), i * 0.01 + m);
            }
            // One partition per group of 64 consecutive messages, as a journal's writer would fill it.
            yield journal.writeKeyed(List.of(new BoundedWriter.Keyed("journal", null, journalRow.bind(prefix, (long) (i / 64),
                i % 64, device, at, (long) i, readings).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
                .setIdempotent(true))));
          }
        };
        write.whenComplete((done, failure) -> {
          if (failure != null) {
            failed.incrementAndGet();
          }
          window.release();
        });
      }
      if (!window.tryAcquire(outstanding, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writes unanswered after 120 s");
      }
      long sent = switch (shape) {
        case "reading-rows" -> plain.requests();
        case "message-row" -> writer.requests();
        case "cross-batch" -> cross.requests();
        default -> journal.requests();
      };
      return new Result((System.nanoTime() - started) / 1e9, sent, failed.get());
    }
  }

  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  /** utime + stime of a process, in clock ticks. */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

}
