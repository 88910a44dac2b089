package io.fleetpulse.benchmarks.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw limit the durable spine is compared with: single-row inserts into the telemetry table,
 * the same statement shape the node uses (prepared, TTL, LOCAL_QUORUM, one row per message with
 * five readings), asynchronous with a
 * fixed number in flight, from one client process. Rows go to their own device ids so they never
 * mix with a run's telemetry. Prints one line: rows, seconds, rows per second.
 *
 * <p>Usage: {@code RawInsertBenchmark host:port rows [in-flight=64] [keyspace=fleetpulse]}
 */
public final class RawInsertBenchmark {

  private RawInsertBenchmark() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: RawInsertBenchmark host:port rows [in-flight=64] [keyspace=fleetpulse]");
      System.exit(2);
    }
    int colon = args[0].lastIndexOf(':');
    InetSocketAddress address = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
    long rows = Long.parseLong(args[1]);
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    String keyspace = args.length > 3 ? args[3] : "fleetpulse";
    try (CqlSession session = CqlSession.builder().addContactPoint(address).withLocalDatacenter("datacenter1").build()) {
      PreparedStatement insert = session.prepare("INSERT INTO " + keyspace + ".telemetry_messages_by_device_day"
          + " (device_id, day, ts, seq, readings, received_at) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
      // Warm-up: a tenth of the rows, not timed.
      run(session, insert, "bench-warm", rows / 10, inFlight);
      long started = System.nanoTime();
      long failed = run(session, insert, "bench-raw", rows, inFlight);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "raw single-row inserts: %d rows in %.1f s (%.0f rows/s), %d in flight, %d failed%n",
          rows, seconds, rows / seconds, inFlight, failed);
    }
  }

  private static long run(CqlSession session, PreparedStatement insert, String prefix, long rows, int inFlight)
      throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    AtomicLong failed = new AtomicLong();
    Instant now = Instant.now();
    LocalDate day = now.atZone(ZoneOffset.UTC).toLocalDate();
    for (long i = 0; i < rows; i++) {
      window.acquire();
      java.util.Map<String, Double> readings = java.util.Map.of("vibration", (double) i, "bearing-temperature", 61.5,
          "motor-current", 12.25, "pressure", 3.5, "speed", 1480.0);
      session.executeAsync(insert.bind(prefix + "-" + (i % 1000), day, now.plusMillis(i / 1000), i, readings, now, 3600)
              .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM).setIdempotent(true))
          .whenComplete((result, failure) -> {
            if (failure != null) {
              failed.incrementAndGet();
            }
            window.release();
          });
    }
    if (!window.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("inserts unanswered after 60 s");
    }
    return failed.get();
  }
}
