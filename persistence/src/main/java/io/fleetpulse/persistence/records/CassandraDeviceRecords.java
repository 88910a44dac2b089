package io.fleetpulse.persistence.records;

import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device records over the persistence module's records writer. Fire and forget for the actors;
 * the writer retries failed writes, and here every record is counted as written or failed (every
 * attempt failed), per kind, on the node's metrics ({@code fleetpulse_records_written_total},
 * {@code fleetpulse_records_failed_total}, {@code fleetpulse_records_retries_total}), and failures
 * are logged at 1, 2, 4, 8... so an outage does not flood the log.
 */
public final class CassandraDeviceRecords implements DeviceRecords {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraDeviceRecords.class);

  private enum Kind {
    DEVICE,
    ROLLUP,
    PREDICTION
  }

  private final RecordsWriter writer;
  private final Map<Kind, Counter> written = new EnumMap<>(Kind.class);
  private final Map<Kind, Counter> failed = new EnumMap<>(Kind.class);
  private final Predicate<String> autoProvisioned;

  /**
   * @param autoProvisioned whether the device of this id was provisioned by its first message
   *     rather than registered (a lookup that must not block: the registry's local view)
   */
  public CassandraDeviceRecords(RecordsWriter writer, MeterRegistry meters, Predicate<String> autoProvisioned) {
    this.writer = writer;
    this.autoProvisioned = autoProvisioned;
    for (Kind kind : Kind.values()) {
      String tag = kind.name().toLowerCase(java.util.Locale.ROOT);
      written.put(kind, Counter.builder("fleetpulse.records.written").tag("kind", tag)
          .description("device records (registry rows, roll-ups, predictions) written to Cassandra").register(meters));
      failed.put(kind, Counter.builder("fleetpulse.records.failed").tag("kind", tag)
          .description("device records Cassandra refused or failed on every attempt; recomputable from stored telemetry")
          .register(meters));
    }
    io.micrometer.core.instrument.FunctionCounter.builder("fleetpulse.records.retries", writer, RecordsWriter::retries)
        .description("device record writes sent again after a failure").register(meters);
    io.micrometer.core.instrument.FunctionCounter.builder("fleetpulse.records.requests", writer, RecordsWriter::requests)
        .description("requests the device record writes took (rows of one partition that waited go as one batch)")
        .register(meters);
  }

  @Override
  public void deviceSeen(DeviceIdentity device, long atMillis) {
    track(Kind.DEVICE, writer.device(new RecordsWriter.DeviceRow(device.deviceId(), device.site(), device.profile(),
        autoProvisioned.test(device.deviceId()), Instant.ofEpochMilli(atMillis))));
  }

  @Override
  public void rollup(DeviceIdentity device, MinuteRollup rollup) {
    track(Kind.ROLLUP, writer.rollup(new RecordsWriter.RollupRow(device.deviceId(), device.site(),
        Instant.ofEpochMilli(rollup.minuteMillis()), rollup.metric(), rollup.count(), rollup.mean(), rollup.min(),
        rollup.max(), rollup.stddev())));
  }

  @Override
  public void prediction(DeviceIdentity device, PredictionRecord prediction) {
    track(Kind.PREDICTION, writer.prediction(new RecordsWriter.PredictionRow(device.deviceId(), device.site(),
        Instant.ofEpochMilli(prediction.atMillis()), prediction.model(), prediction.version(), prediction.sequence(),
        prediction.outputs())));
  }

  private void track(Kind kind, CompletionStage<Void> write) {
    write.whenComplete((done, failure) -> {
      if (failure == null) {
        written.get(kind).increment();
        return;
      }
      Counter counter = failed.get(kind);
      counter.increment();
      long failures = (long) counter.count();
      if (Long.bitCount(failures) == 1) {
        LOG.warn("{} {} records not written so far; latest: {}", failures, kind.name().toLowerCase(java.util.Locale.ROOT),
            failure.getMessage());
      }
    });
  }
}
