package io.fleetpulse.benchmarks.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.records.RecordsWriter;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What gathering rows per partition buys the writer of predictions and roll-ups: the same
 * prediction stream (many devices, each scoring every reading, as the NAB replay does) written
 * through {@link RecordsWriter} with the node's bound (8 requests in flight) once with {@code
 * max-batch = 1} (every row its own request) and once with the configured batch, against one
 * embedded Cassandra node (the node's configuration: synced commit log), in alternating rounds so
 * that drift on a noisy machine hits both alike. The producer keeps {@code outstanding}
 * predictions unanswered at most, like device actors writing faster than Cassandra takes them.
 * Prints, per round and in total, predictions per second, requests per prediction and failures.
 *
 * <p>Usage: {@code RecordsWriteBenchmark [predictions per round=20000] [devices=50] [rounds=2]
 * [max-batch=32] [outstanding=4000] [cassandra runtime classpath=cassandra-runtime/target/lib]}
 */
public final class RecordsWriteBenchmark {

  private RecordsWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    int predictions = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int devices = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int maxBatch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int outstanding = args.length > 4 ? Integer.parseInt(args[4]) : 4000;
    Path runtime = Path.of(args.length > 5 ? args[5] : "cassandra-runtime/target/lib");
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    Path data = Files.createTempDirectory("records-bench");
    try (CassandraLauncher cassandra = CassandraLauncher.start(settings.embedded().isolated(runtime, data));
        CqlSession session = CqlSession.builder().addContactPoint(cassandra.cqlAddress())
            .withLocalDatacenter(settings.localDatacenter()).build()) {
      new SchemaMigrations(session, settings.keyspace()).migrate(settings.replication());
      // Warm-up (JIT, Cassandra's memtables): a tenth of a round each way, not counted.
      write(session, settings.keyspace(), 1, predictions / 10, devices, outstanding, "warm-a");
      write(session, settings.keyspace(), maxBatch, predictions / 10, devices, outstanding, "warm-b");
      double[] seconds = new double[2];
      long[] requests = new long[2];
      long[] failed = new long[2];
      for (int round = 0; round < rounds; round++) {
        for (int mode = 0; mode < 2; mode++) {
          int batch = mode == 0 ? 1 : maxBatch;
          Result result = write(session, settings.keyspace(), batch, predictions, devices, outstanding, "r" + round + "m" + mode);
          seconds[mode] += result.seconds();
          requests[mode] += result.requests();
          failed[mode] += result.failed();
          System.out.printf(Locale.ROOT, "round %d, max-batch %2d: %d predictions in %.1f s (%.0f/s), %.2f requests per prediction, %d failed%n",
              round + 1, batch, predictions, result.seconds(), predictions / result.seconds(),
              (double) result.requests() / predictions, result.failed());
        }
      }
      long total = (long) predictions * rounds;
      System.out.printf(Locale.ROOT, "total, max-batch  1: %.0f predictions/s, %.2f requests per prediction, %d failed%n",
          total / seconds[0], (double) requests[0] / total, failed[0]);
      System.out.printf(Locale.ROOT, "total, max-batch %2d: %.0f predictions/s, %.2f requests per prediction, %d failed%n",
          maxBatch, total / seconds[1], (double) requests[1] / total, failed[1]);
      System.out.printf(Locale.ROOT, "gathered / single: %.2fx predictions per second (%d devices, 8 requests in flight)%n",
          seconds[0] / seconds[1], devices);
    }
  }

  private record Result(double seconds, long requests, long failed) {}

  private static Result write(CqlSession session, String keyspace, int maxBatch, int predictions, int devices,
      int outstanding, String prefix) throws InterruptedException {
    RecordsWriter writer = new RecordsWriter(session, keyspace, 8, 20_000, maxBatch, RecordsWriter.Retry.NONE);
    Semaphore window = new Semaphore(outstanding);
    AtomicLong failed = new AtomicLong();
    Instant start = Instant.now();
    long started = System.nanoTime();
    for (int i = 0; i < predictions; i++) {
      window.acquire();
      String device = prefix + "-" + i % devices;
      writer.prediction(new RecordsWriter.PredictionRow(device, "bench-" + prefix, start.plusMillis(i), "anomaly:value",
              "msknn-3", i, List.of((float) (i % 997) / 997f, 0.5f)))
          .whenComplete((done, failure) -> {
            if (failure != null) {
              failed.incrementAndGet();
            }
            window.release();
          });
    }
    if (!window.tryAcquire(outstanding, 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("predictions unanswered after 120 s");
    }
    return new Result((System.nanoTime() - started) / 1e9, writer.requests(), failed.get());
  }
}
