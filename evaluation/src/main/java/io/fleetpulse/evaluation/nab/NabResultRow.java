package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One row of a NAB results file: the data row's timestamp and value, and the anomaly score the
 * detector gave it.
 */
public record NabResultRow(LocalDateTime timestamp, double value, double anomalyScore) {

  public NabResultRow {
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /** The row as the scorer reads it (the anomaly score must lie in [0, 1]). */
  public NabScoredRow toScoredRow() {
    return new NabScoredRow(timestamp, anomalyScore);
  }
}
