package io.fleetpulse.serving;

import java.util.Locale;

/**
 * Priority lanes of the inference pool, one per 5G network slice. Callers map their device's
 * slice to a lane; the pool knows nothing of devices. Declared in priority order: when a run slot
 * frees, the first lane with a ready batch is served.
 */
public enum Lane {
  /** Ultra-reliable low latency: short deadline, small batches, served first. */
  URLLC,
  /** Enhanced mobile broadband: medium batches and deadline. */
  EMBB,
  /** Massive machine-type communication: large batches, long delay, served last. */
  MMTC;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Lane parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown lane '" + value + "', expected urllc, embb or mmtc", e);
    }
  }
}
