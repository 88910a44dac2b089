package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/** One row of a NAB data file ({@code timestamp,value}). */
public record NabDataPoint(LocalDateTime timestamp, double value) {

  public NabDataPoint {
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
