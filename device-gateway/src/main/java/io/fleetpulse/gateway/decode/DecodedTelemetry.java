package io.fleetpulse.gateway.decode;

import java.util.List;
import java.util.Optional;

/**
 * A payload as the device sent it, decoded but not yet checked against a profile.
 *
 * @param payloadDeviceId the device the payload names itself (SenML base name, compact {@code
 *     deviceId}), if any
 * @param sequence the device-local sequence number, if the payload carries one
 * @param timestampMillis the message's own time (base time, {@code ts}, or the receive time)
 * @param readings every reading, in payload order
 */
public record DecodedTelemetry(
    Optional<String> payloadDeviceId, Optional<Long> sequence, long timestampMillis, List<Reading> readings) {

  public DecodedTelemetry {
    readings = List.copyOf(readings);
  }

  /** One decoded reading; {@code unit} is empty when the payload gives none. */
  public record Reading(String metric, Optional<String> unit, long timestampMillis, double value) {}
}
