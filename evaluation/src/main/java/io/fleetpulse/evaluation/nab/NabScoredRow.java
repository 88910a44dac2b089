package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One row of a detector's output for a NAB series, as the scorer reads it: the row's timestamp and
 * the anomaly score the detector gave it, in [0, 1] (SCORING.md). Rows are scored by position, in
 * the order the series lists them, as NAB does.
 */
public record NabScoredRow(LocalDateTime timestamp, double anomalyScore) {

  public NabScoredRow {
    Objects.requireNonNull(timestamp, "timestamp");
    if (!(anomalyScore >= 0 && anomalyScore <= 1)) {
      throw new IllegalArgumentException("an anomaly score must lie in [0, 1], was " + anomalyScore + " at " + timestamp);
    }
    // Adding +0.0 turns -0.0 into 0.0, so the two never count as distinct thresholds in the sweep.
    anomalyScore = anomalyScore + 0.0;
  }
}
