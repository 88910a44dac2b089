package io.fleetpulse.persistence.telemetry;

import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryHistory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Device actors' history over the persistence module's reader: stored rows regrouped into one
 * message per sequence number, in the order of their earliest reading. The message time is its
 * earliest sample's time (a compact message's samples all share it).
 */
public final class CassandraTelemetryHistory implements TelemetryHistory {

  private final TelemetryReader reader;
  private final Clock clock;

  public CassandraTelemetryHistory(TelemetryReader reader, Clock clock) {
    this.reader = reader;
    this.clock = clock;
  }

  @Override
  public CompletionStage<List<Telemetry>> recent(DeviceIdentity device, long sinceMillis, int minMessages,
      int maxMessages) {
    // Up to a day ahead: a device clock running fast still has its readings found.
    Instant until = clock.instant().plusSeconds(86_400);
    return reader.recent(device.deviceId(), Instant.ofEpochMilli(sinceMillis), until, minMessages, maxMessages)
        .thenApply(rows -> messages(device, rows));
  }

  static List<Telemetry> messages(DeviceIdentity device, List<TelemetryRow> rows) {
    Map<Long, List<TelemetryRow>> bySequence = new LinkedHashMap<>();
    for (TelemetryRow row : rows) {
      bySequence.computeIfAbsent(row.sequence(), s -> new ArrayList<>()).add(row);
    }
    List<Telemetry> messages = new ArrayList<>(bySequence.size());
    for (Map.Entry<Long, List<TelemetryRow>> message : bySequence.entrySet()) {
      List<Sample> samples = new ArrayList<>(message.getValue().size());
      long time = Long.MAX_VALUE;
      for (TelemetryRow row : message.getValue()) {
        samples.add(new Sample(row.metric(), row.timestamp().toEpochMilli(), row.value()));
        time = Math.min(time, row.timestamp().toEpochMilli());
      }
      messages.add(new Telemetry(device, message.getKey(), time, samples,
          message.getValue().get(0).receivedAt().toEpochMilli()));
    }
    return messages;
  }
}
