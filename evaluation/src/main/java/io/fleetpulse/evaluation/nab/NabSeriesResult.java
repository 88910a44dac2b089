package io.fleetpulse.evaluation.nab;

import java.util.List;

/**
 * What one series (or, summed, a category or the corpus) contributed at one threshold and profile:
 * window outcomes, NAB's row counts, and the raw score split into its three parts.
 *
 * <p>Window counts: {@code detectedWindows + missedWindows} are the scorable windows; a window
 * lying wholly in the probationary period is in {@code windowCount} but neither detected nor
 * missed (NAB ignores it). Row counts cover scorable rows only (after probation), as NAB's
 * sweeper counts them: a detection inside a window is a true-positive row (only the earliest one
 * per window scores), an undetected row inside a window a false-negative row, a detection outside
 * every window a false-positive row, the rest true-negative rows.
 *
 * @param series the series path, or the name of the group a sum covers
 * @param rowCount all rows, probation included
 * @param probationRows rows in the probationary period
 * @param windowCount labelled windows
 * @param detectedWindows windows with at least one scorable detection
 * @param missedWindows scorable windows without a detection
 * @param truePositiveRows detections inside windows
 * @param falseNegativeRows undetected rows inside windows
 * @param falsePositiveRows detections outside every window
 * @param trueNegativeRows undetected rows outside every window
 * @param truePositiveScore sum over detected windows of A_TP * sigma(p) / sigma(-1) of the earliest detection
 * @param falseNegativeScore -A_FN per missed window
 * @param falsePositiveScore sum of A_FP * sigma(p) over false positives (negative)
 */
public record NabSeriesResult(String series, int rowCount, int probationRows, int windowCount, int detectedWindows,
    int missedWindows, int truePositiveRows, int falseNegativeRows, int falsePositiveRows, int trueNegativeRows,
    double truePositiveScore, double falseNegativeScore, double falsePositiveScore) {

  /** The contribution to the corpus raw score: the three parts summed. */
  public double rawScore() {
    return truePositiveScore + falseNegativeScore + falsePositiveScore;
  }

  /** Windows that can be scored: detected or missed. */
  public int scorableWindows() {
    return detectedWindows + missedWindows;
  }

  /** The NAB category of the series (the data directory it sits in). */
  public String category() {
    return NabSeries.categoryOf(series);
  }

  /** The element-wise sum of several results under one name, e.g. a category's total. */
  public static NabSeriesResult sumOf(String name, List<NabSeriesResult> parts) {
    int rows = 0;
    int probation = 0;
    int windows = 0;
    int detected = 0;
    int missed = 0;
    int truePositives = 0;
    int falseNegatives = 0;
    int falsePositives = 0;
    int trueNegatives = 0;
    double truePositiveScore = 0;
    double falseNegativeScore = 0;
    double falsePositiveScore = 0;
    for (NabSeriesResult part : parts) {
      rows += part.rowCount;
      probation += part.probationRows;
      windows += part.windowCount;
      detected += part.detectedWindows;
      missed += part.missedWindows;
      truePositives += part.truePositiveRows;
      falseNegatives += part.falseNegativeRows;
      falsePositives += part.falsePositiveRows;
      trueNegatives += part.trueNegativeRows;
      truePositiveScore += part.truePositiveScore;
      falseNegativeScore += part.falseNegativeScore;
      falsePositiveScore += part.falsePositiveScore;
    }
    return new NabSeriesResult(name, rows, probation, windows, detected, missed, truePositives, falseNegatives,
        falsePositives, trueNegatives, truePositiveScore, falseNegativeScore, falsePositiveScore);
  }
}
