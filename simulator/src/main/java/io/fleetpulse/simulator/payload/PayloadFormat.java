package io.fleetpulse.simulator.payload;

/** The two telemetry payload forms the node accepts on {@code fleet/{site}/{deviceId}/telemetry}. */
public enum PayloadFormat {
  /** {@code {"ts":<epoch millis>,"seq":n,"values":{"vibration":3.1,...}}} */
  COMPACT,
  /** An RFC 8428 SenML JSON pack with base name {@code <deviceId>:} and a {@code seq} extension. */
  SENML
}
