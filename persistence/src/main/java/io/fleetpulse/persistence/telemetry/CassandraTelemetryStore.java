package io.fleetpulse.persistence.telemetry;

import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The gateway's durable store, over the persistence module's telemetry writer. */
public final class CassandraTelemetryStore implements TelemetryStore {

  private final TelemetryWriter writer;

  public CassandraTelemetryStore(TelemetryWriter writer) {
    this.writer = writer;
  }

  @Override
  public CompletionStage<Void> store(Telemetry telemetry) {
    Instant received = Instant.ofEpochMilli(telemetry.receivedAtMillis());
    List<TelemetryRow> rows = new ArrayList<>(telemetry.samples().size());
    for (Sample sample : telemetry.samples()) {
      rows.add(new TelemetryRow(telemetry.deviceId(), Instant.ofEpochMilli(sample.timestampMillis()), telemetry.sequence(),
          sample.metric(), sample.value(), received));
    }
    return writer.write(rows);
  }
}
