package io.fleetpulse.simulator.signal;

import java.time.Duration;

/**
 * When injected faults happen on a faulty device, in simulated time: one fault of {@code duration}
 * every {@code period}, at a per-device offset. Read from {@code fleetpulse.simulator.tuning}.
 */
public record FaultSchedule(Duration period, Duration duration) {

  /** Share of a fault window spent ramping up; a bearing fault rises sharply. */
  private static final double RISE_FRACTION = 0.25;
  /** Share of a fault window at its end where the fault is repaired and fades out. */
  private static final double REPAIR_FRACTION = 0.1;

  public FaultSchedule {
    if (period.isNegative() || period.isZero() || duration.isNegative() || duration.compareTo(period) >= 0) {
      throw new IllegalArgumentException("fault duration must be positive and shorter than the fault period");
    }
  }

  /**
   * Fault severity in [0, 1] at {@code millisSinceStart} for a device whose first fault starts
   * {@code offsetMillis} after the simulation start.
   */
  public double severity(long millisSinceStart, long offsetMillis) {
    long intoPeriod = Math.floorMod(millisSinceStart - offsetMillis, period.toMillis());
    if (intoPeriod >= duration.toMillis()) {
      return 0;
    }
    double fraction = intoPeriod / (double) duration.toMillis();
    double rise = Math.min(1, fraction / RISE_FRACTION);
    double repair = Math.min(1, (1 - fraction) / REPAIR_FRACTION);
    return Math.min(rise, repair);
  }
}
