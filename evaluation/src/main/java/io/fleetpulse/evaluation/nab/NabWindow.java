package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One labelled anomaly window of a NAB series, as combined_windows.json gives it: the timestamps of
 * its first and last rows. The window holds the rows whose timestamps lie in [start, end], both
 * ends included (NAB's labeler and scorer select rows with {@code timestamp >= start} and {@code
 * timestamp <= end}).
 */
public record NabWindow(LocalDateTime start, LocalDateTime end) {

  public NabWindow {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("a window cannot end before it starts: [" + start + ", " + end + "]");
    }
  }

  /** A window from NAB's label-file text, e.g. {@code "2014-02-19 10:50:00.000000"}. */
  public static NabWindow parse(String start, String end) {
    return new NabWindow(NabTimestamps.parse(start), NabTimestamps.parse(end));
  }

  /** Whether a row with this timestamp lies inside the window, both ends included. */
  public boolean contains(LocalDateTime timestamp) {
    return !timestamp.isBefore(start) && !timestamp.isAfter(end);
  }
}
