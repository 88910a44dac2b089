package io.fleetpulse.evaluation.nab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One series laid out for scoring, computed once per series so that scoring at any threshold and
 * under any profile is a single pass: where each window sits in the rows, which window (if any)
 * each row belongs to, and what a detection at each row is worth before the profile's weight.
 *
 * <p>A row's unweighted worth is, inside a window whose last row is R and width W rows, {@code
 * sigma(p) / sigma(-1)} with {@code p = -(R - i + 1) / W}, so the window's first row is worth
 * exactly 1 and the worth falls towards the right edge; outside every window it is {@code
 * sigma(p)} with {@code p = |R_prev - i| / (W_prev - 1)} from the previous window's last row, or
 * -1 when no window precedes the row, the scaled sigmoid itself giving -1 past three widths.
 * Package-private: {@link NabScorer} is the public face.
 */
final class PreparedSeries {

  /** Marks a row that lies outside every window. */
  static final int NO_WINDOW = -1;

  private final String path;
  private final int probationLength;
  private final double[] anomalyScores;
  private final int[] windowOfRow;
  private final double[] unweightedWorth;
  private final int[] windowFirstRows;
  private final int[] windowLastRows;

  private PreparedSeries(String path, int probationLength, double[] anomalyScores, int[] windowOfRow,
      double[] unweightedWorth, int[] windowFirstRows, int[] windowLastRows) {
    this.path = path;
    this.probationLength = probationLength;
    this.anomalyScores = anomalyScores;
    this.windowOfRow = windowOfRow;
    this.unweightedWorth = unweightedWorth;
    this.windowFirstRows = windowFirstRows;
    this.windowLastRows = windowLastRows;
  }

  static PreparedSeries of(NabSeries series) {
    List<NabScoredRow> rows = series.rows();
    List<int[]> ranges = windowRowRanges(series);
    int[] firstRows = ranges.stream().mapToInt(range -> range[0]).toArray();
    int[] lastRows = ranges.stream().mapToInt(range -> range[1]).toArray();
    double[] scores = rows.stream().mapToDouble(NabScoredRow::anomalyScore).toArray();
    int[] windowOfRow = windowOfEachRow(rows.size(), firstRows, lastRows);
    double[] worth = unweightedWorth(windowOfRow, firstRows, lastRows);
    return new PreparedSeries(series.path(), NabScorer.probationLength(rows.size()), scores, windowOfRow, worth,
        firstRows, lastRows);
  }

  String path() {
    return path;
  }

  int rowCount() {
    return anomalyScores.length;
  }

  int probationLength() {
    return probationLength;
  }

  int windowCount() {
    return windowFirstRows.length;
  }

  /** A window lying wholly in the probationary period has no scorable row and NAB ignores it. */
  boolean isScorable(int window) {
    return windowLastRows[window] >= probationLength;
  }

  int scorableWindowCount() {
    int count = 0;
    for (int window = 0; window < windowCount(); window++) {
      count += isScorable(window) ? 1 : 0;
    }
    return count;
  }

  double anomalyScore(int row) {
    return anomalyScores[row];
  }

  int windowOfRow(int row) {
    return windowOfRow[row];
  }

  double unweightedWorth(int row) {
    return unweightedWorth[row];
  }

  int windowFirstRow(int window) {
    return windowFirstRows[window];
  }

  int windowLastRow(int window) {
    return windowLastRows[window];
  }

  /**
   * This series' outcome when rows scoring at least {@code threshold} are detections. One pass over
   * the scorable rows; a window keeps the best worth of its detections, which is its earliest one,
   * so a window counts once however many of its rows fire.
   */
  NabSeriesResult score(NabProfile profile, double threshold) {
    double[] bestWorth = new double[windowCount()];
    boolean[] detected = new boolean[windowCount()];
    int truePositiveRows = 0;
    int falseNegativeRows = 0;
    int falsePositiveRows = 0;
    int trueNegativeRows = 0;
    double falsePositiveScore = 0;
    for (int row = probationLength; row < rowCount(); row++) {
      boolean detection = anomalyScores[row] >= threshold;
      int window = windowOfRow[row];
      if (window != NO_WINDOW && detection) {
        truePositiveRows++;
        double worth = profile.truePositiveWeight() * unweightedWorth[row];
        if (!detected[window] || worth > bestWorth[window]) {
          bestWorth[window] = worth;
          detected[window] = true;
        }
      } else if (window != NO_WINDOW) {
        falseNegativeRows++;
      } else if (detection) {
        falsePositiveRows++;
        falsePositiveScore += profile.falsePositiveWeight() * unweightedWorth[row];
      } else {
        trueNegativeRows++;
      }
    }
    int detectedWindows = 0;
    int missedWindows = 0;
    double truePositiveScore = 0;
    for (int window = 0; window < windowCount(); window++) {
      if (detected[window]) {
        detectedWindows++;
        truePositiveScore += bestWorth[window];
      } else if (isScorable(window)) {
        missedWindows++;
      }
    }
    return new NabSeriesResult(path, rowCount(), probationLength, windowCount(),
        detectedWindows, missedWindows, truePositiveRows, falseNegativeRows, falsePositiveRows, trueNegativeRows,
        truePositiveScore, -profile.falseNegativeWeight() * missedWindows, falsePositiveScore);
  }

  /**
   * Each window as the inclusive range of rows [first, last] from the first to the last row (in
   * file order) whose timestamp lies in the window. NAB's windows start and end on timestamps of
   * the series, so for a series in time order this is exactly the rows inside [start, end].
   */
  private static List<int[]> windowRowRanges(NabSeries series) {
    List<int[]> ranges = new ArrayList<>();
    for (NabWindow window : series.windows()) {
      ranges.add(rowRange(series, window));
    }
    ranges.sort(Comparator.comparingInt(range -> range[0]));
    for (int i = 1; i < ranges.size(); i++) {
      if (ranges.get(i)[0] <= ranges.get(i - 1)[1]) {
        throw new IllegalArgumentException("windows of " + series.path() + " overlap: rows " + ranges.get(i - 1)[0]
            + ".." + ranges.get(i - 1)[1] + " and " + ranges.get(i)[0] + ".." + ranges.get(i)[1]);
      }
    }
    return ranges;
  }

  private static int[] rowRange(NabSeries series, NabWindow window) {
    int first = -1;
    int last = -1;
    List<NabScoredRow> rows = series.rows();
    for (int row = 0; row < rows.size(); row++) {
      if (window.contains(rows.get(row).timestamp())) {
        first = first < 0 ? row : first;
        last = row;
      }
    }
    if (first < 0) {
      // NAB requires window limits to be timestamps of the series; an empty window cannot be scored.
      throw new IllegalArgumentException("window [" + NabTimestamps.format(window.start()) + ", "
          + NabTimestamps.format(window.end()) + "] of " + series.path() + " holds no row");
    }
    return new int[] {first, last};
  }

  private static int[] windowOfEachRow(int rowCount, int[] firstRows, int[] lastRows) {
    int[] windowOfRow = new int[rowCount];
    Arrays.fill(windowOfRow, NO_WINDOW);
    for (int window = 0; window < firstRows.length; window++) {
      Arrays.fill(windowOfRow, firstRows[window], lastRows[window] + 1, window);
    }
    return windowOfRow;
  }

  private static double[] unweightedWorth(int[] windowOfRow, int[] firstRows, int[] lastRows) {
    double[] worth = new double[windowOfRow.length];
    double earliestInWindow = NabScorer.scaledSigmoid(-1.0);
    int previousWindow = NO_WINDOW;
    for (int row = 0; row < windowOfRow.length; row++) {
      int window = windowOfRow[row];
      if (window != NO_WINDOW) {
        worth[row] = NabScorer.scaledSigmoid(positionInWindow(row, firstRows[window], lastRows[window]))
            / earliestInWindow;
        previousWindow = window;
      } else if (previousWindow == NO_WINDOW) {
        worth[row] = -1.0;
      } else {
        worth[row] = NabScorer.scaledSigmoid(
            positionAfterWindow(row, firstRows[previousWindow], lastRows[previousWindow]));
      }
    }
    return worth;
  }

  /** p = -(R - i + 1) / W, in [-1, 0): -1 at the window's first row. */
  static double positionInWindow(int row, int firstRow, int lastRow) {
    double width = lastRow - firstRow + 1;
    return -(lastRow - row + 1) / width;
  }

  /**
   * p = |R_prev - i| / (W_prev - 1). For a window one row wide NAB divides by zero (and fails);
   * here the quotient is +infinity, so such a false positive costs the full -A_FP.
   */
  static double positionAfterWindow(int row, int firstRow, int lastRow) {
    double widthLessOne = lastRow - firstRow;
    return Math.abs(lastRow - row) / widthLessOne;
  }
}
