package io.fleetpulse.api.profile;

import java.util.Locale;

/**
 * The 5G network slice a device is attached to. It decides how urgently the fleet treats the
 * device's data: inference lanes, alert latency budgets.
 */
public enum NetworkSlice {
  /** Ultra-reliable low-latency communication: control loops, safety-relevant machines. */
  URLLC,
  /** Enhanced mobile broadband: high-volume but latency-tolerant telemetry. */
  EMBB,
  /** Massive machine-type communication: many small, infrequent senders. */
  MMTC;

  /** Parses the configuration spelling ({@code urllc}, {@code embb}, {@code mmtc}). */
  public static NetworkSlice parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown network slice '" + value + "', expected one of urllc, embb, mmtc", e);
    }
  }
}
