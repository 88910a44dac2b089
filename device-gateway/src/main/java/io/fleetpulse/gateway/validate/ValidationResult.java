package io.fleetpulse.gateway.validate;

import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import java.util.Optional;

/** The verdict on one inbound message. */
public sealed interface ValidationResult permits ValidationResult.Valid, ValidationResult.Invalid {

  record Valid(Telemetry telemetry) implements ValidationResult {}

  /**
   * @param topic the parsed topic, when it was well formed (it addresses the dead letter)
   * @param device the registered device, when known (it is told about the rejection)
   */
  record Invalid(Optional<TelemetryTopic> topic, Optional<DeviceIdentity> device, RejectReason reason, String detail)
      implements ValidationResult {}
}
