package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small hand-made NAB series for the tests: rows every five minutes, windows given by row numbers. */
final class SyntheticSeries {

  static final LocalDateTime START = LocalDateTime.of(2020, 1, 1, 0, 0);

  private SyntheticSeries() {}

  /** The timestamp of a row. */
  static LocalDateTime at(int row) {
    return START.plusMinutes(5L * row);
  }

  /** The window from one row to another, both included. */
  static NabWindow rows(int first, int last) {
    return new NabWindow(at(first), at(last));
  }

  /** A series with these anomaly scores, row by row. */
  static NabSeries series(String path, double[] scores, NabWindow... windows) {
    List<NabScoredRow> rows = new ArrayList<>(scores.length);
    for (int row = 0; row < scores.length; row++) {
      rows.add(new NabScoredRow(at(row), scores[row]));
    }
    return new NabSeries(path, rows, List.of(windows));
  }

  /** n scores of 0 with 1 at the given rows: at any threshold in (0, 1] exactly those rows are detections. */
  static double[] detectionsAt(int rowCount, int... rows) {
    double[] scores = new double[rowCount];
    for (int row : rows) {
      scores[row] = 1.0;
    }
    return scores;
  }

  /** n scores all equal to {@code score}. */
  static double[] constant(int rowCount, double score) {
    double[] scores = new double[rowCount];
    Arrays.fill(scores, score);
    return scores;
  }
}
