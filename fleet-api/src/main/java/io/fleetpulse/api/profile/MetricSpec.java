package io.fleetpulse.api.profile;

import java.util.Objects;

/**
 * One metric a device profile reports: its name, unit and the closed range of physically
 * plausible values. A reading outside {@code [min, max]} is rejected as {@code value.out-of-range}.
 */
public record MetricSpec(String name, String unit, double min, double max) {

  public MetricSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
    if (name.isBlank()) {
      throw new IllegalArgumentException("metric name must not be blank");
    }
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "metric '" + name + "': min " + min + " must not exceed max " + max);
    }
  }

  public boolean accepts(double value) {
    return value >= min && value <= max;
  }
}
