package io.fleetpulse.simulator.signal;

/**
 * One metric of a device profile as the node declares it: name, unit and the valid range the node
 * enforces ({@code value.out-of-range} outside it). Part of the simulator's signal model.
 */
public record Metric(String name, String unit, double min, double max) {

  public Metric {
    if (!(min < max)) {
      throw new IllegalArgumentException("metric " + name + ": min must be below max");
    }
  }

  public boolean contains(double value) {
    return value >= min && value <= max;
  }

  /** The value moved into the valid range; keeps Gaussian tails from producing rejected values. */
  public double clamp(double value) {
    return Math.max(min, Math.min(max, value));
  }
}
