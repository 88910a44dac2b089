package io.fleetpulse.persistence.telemetry;

import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's durable store, over the persistence module's telemetry writer. Times every
 * message's write, stored or failed ({@code fleetpulse_telemetry_write_seconds{outcome}}): a failed
 * write (Cassandra down, or the writer's queue full) is a message the gateway does not acknowledge.
 */
public final class CassandraTelemetryStore implements TelemetryStore {

  private final TelemetryWriter writer;
  private final Timer stored;
  private final Timer failed;

  /** A store whose write times go nowhere. */
  public CassandraTelemetryStore(TelemetryWriter writer) {
    this(writer, new SimpleMeterRegistry());
  }

  public CassandraTelemetryStore(TelemetryWriter writer, MeterRegistry meters) {
    this.writer = writer;
    this.stored = timer(meters, "stored");
    this.failed = timer(meters, "failed");
  }

  @Override
  public CompletionStage<Void> store(Telemetry telemetry) {
    Instant received = Instant.ofEpochMilli(telemetry.receivedAtMillis());
    List<TelemetryRow> rows = new ArrayList<>(telemetry.samples().size());
    for (Sample sample : telemetry.samples()) {
      rows.add(new TelemetryRow(telemetry.deviceId(), Instant.ofEpochMilli(sample.timestampMillis()), telemetry.sequence(),
          sample.metric(), sample.value(), received));
    }
    long start = System.nanoTime();
    return writer.write(rows).whenComplete((done, failure) ->
        (failure == null ? stored : failed).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  private static Timer timer(MeterRegistry meters, String outcome) {
    return Timer.builder("fleetpulse.telemetry.write")
        .description("time to store one telemetry message's rows in Cassandra, by outcome")
        .tag("outcome", outcome)
        .publishPercentiles(0.5, 0.99)
        .register(meters);
  }
}
