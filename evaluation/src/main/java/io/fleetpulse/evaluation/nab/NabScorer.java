package io.fleetpulse.evaluation.nab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scores a detector's anomaly scores over a NAB corpus the way NAB does (SCORING.md, and NAB's
 * {@code sweeper.py} / {@code optimizer.py} / {@code runner.py} where it is silent): per profile,
 * the raw score at a threshold, the threshold sweep that finds the best raw score, and the
 * normalised score {@code 100 * (raw - null) / (perfect - null)}.
 *
 * <p>Rules, per series of n rows in file order:
 *
 * <ul>
 *   <li>the first {@link #probationLength(int) min(floor(0.15 n), 750)} rows are probationary and
 *       ignored: neither their detections nor their misses count;
 *   <li>a row is a detection when its anomaly score is at least the threshold;
 *   <li>a window with detections adds {@code A_TP * sigma(p) / sigma(-1)} of its best (earliest)
 *       one, p = -(R - i + 1) / W; a window without adds -A_FN;
 *   <li>a detection outside every window adds {@code A_FP * sigma(p)}, p = |R_prev - i| / (W_prev - 1)
 *       from the previous window, sigma = -1 beyond 3 or with no previous window.
 * </ul>
 *
 * <p>Complexity: building the scorer is O(N log N) for N rows in the corpus (one sort of the
 * scorable rows by anomaly score, bucketing equal scores) plus O(N * w) to place w windows per
 * series; {@link #score} is O(N) per call; {@link #sweep(NabProfile)} is O(N) per profile: it walks
 * the buckets from the highest score down, updating the raw score incrementally (a false positive
 * adds its worth, a window's best detection replaces its previous contribution), which yields the
 * raw score at every distinct anomaly score of the corpus, exactly as NAB's sweeper does, without
 * rescoring the corpus per threshold. Memory is a few primitive arrays of N.
 */
public final class NabScorer {

  /** The probationary share of a series (NAB's probationPercent). */
  public static final double PROBATION_FRACTION = 0.15;

  /** The longest probation, NAB's {@code 0.15 * 5000} rows. */
  public static final int MAXIMUM_PROBATION_ROWS = 750;

  /**
   * The threshold at which nothing is detected, NAB's sweep start of 1.1: anomaly scores lie in
   * [0, 1], so the detector that never fires is the first point of every sweep.
   */
  public static final double NO_DETECTION_THRESHOLD = 1.1;

  private final List<PreparedSeries> series;
  private final int scorableWindowCount;
  private final SweepOrder sweepOrder;

  private NabScorer(List<PreparedSeries> series) {
    this.series = series;
    this.scorableWindowCount = series.stream().mapToInt(PreparedSeries::scorableWindowCount).sum();
    this.sweepOrder = SweepOrder.of(series);
  }

  /** A scorer for a corpus given as series, each with its rows and windows. */
  public static NabScorer of(List<NabSeries> corpus) {
    return new NabScorer(corpus.stream().map(PreparedSeries::of).toList());
  }

  /**
   * A scorer for a detector's rows per series path, with the windows from the labels. Every series
   * must be labelled (an unlabelled one is an error, not a series without anomalies).
   */
  public static NabScorer of(Map<String, List<NabScoredRow>> rowsBySeries, NabLabels labels) {
    List<NabSeries> corpus = new ArrayList<>();
    rowsBySeries.forEach((path, rows) -> corpus.add(new NabSeries(path, rows, labels.windowsOf(path))));
    return of(corpus);
  }

  /** Probationary rows of a series of {@code rowCount} rows: min(floor(0.15 n), 750), as NAB computes it. */
  public static int probationLength(int rowCount) {
    return (int) Math.min(Math.floor(PROBATION_FRACTION * rowCount), PROBATION_FRACTION * 5000);
  }

  /**
   * NAB's scaled sigmoid of a relative position p: {@code 2 / (1 + e^(5p)) - 1}, and -1 for p > 3
   * (a false positive far behind a window). sigma(-1) = 0.98661, sigma(0) = 0, sigma(1) = -0.98661.
   */
  public static double scaledSigmoid(double position) {
    if (position > 3.0) {
      return -1.0;
    }
    return 2.0 / (1.0 + Math.exp(5.0 * position)) - 1.0;
  }

  /** Windows that can be scored: all windows except any lying wholly in a probationary period. */
  public int scorableWindowCount() {
    return scorableWindowCount;
  }

  /** The perfect detector's raw score: A_TP per scorable window (each caught at its first row, nothing else). */
  public double perfectScore(NabProfile profile) {
    return profile.truePositiveWeight() * scorableWindowCount;
  }

  /** The null detector's raw score (it never fires): -A_FN per scorable window. */
  public double nullScore(NabProfile profile) {
    return -profile.falseNegativeWeight() * scorableWindowCount;
  }

  /**
   * 100 * (raw - null) / (perfect - null): 100 for the perfect detector, 0 for the null one. NaN
   * when the corpus has no scorable window, as the scale is then undefined.
   */
  public double normalise(NabProfile profile, double rawScore) {
    double nullScore = nullScore(profile);
    double span = perfectScore(profile) - nullScore;
    return span == 0 ? Double.NaN : 100.0 * (rawScore - nullScore) / span;
  }

  /** The corpus outcome at one threshold (detections: anomaly score >= threshold), with the per-series breakdown. */
  public NabCorpusResult score(NabProfile profile, double threshold) {
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("the threshold must be a number");
    }
    List<NabSeriesResult> results = series.stream().map(one -> one.score(profile, threshold)).toList();
    double rawScore = rawScoreOf(results);
    return new NabCorpusResult(profile, threshold, rawScore, perfectScore(profile), nullScore(profile),
        normalise(profile, rawScore), results);
  }

  /**
   * The raw score at every candidate threshold, highest threshold first: {@link
   * #NO_DETECTION_THRESHOLD}, then each distinct anomaly score of the corpus's scorable rows.
   */
  public List<NabThresholdScore> sweepCurve(NabProfile profile) {
    return sweepOrder.sweep(profile, nullScore(profile));
  }

  /**
   * The threshold that maximises the corpus raw score for this profile, and the corpus outcome
   * there. Ties go to the highest threshold, as NAB's stable sort of its sweep (which runs from the
   * highest threshold down) picks the first best; so a detector that cannot beat never firing gets
   * {@link #NO_DETECTION_THRESHOLD} and a normalised score of 0.
   */
  public NabCorpusResult sweep(NabProfile profile) {
    NabThresholdScore best = null;
    for (NabThresholdScore candidate : sweepCurve(profile)) {
      if (best == null || candidate.rawScore() > best.rawScore()) {
        best = candidate;
      }
    }
    return score(profile, best.threshold());
  }

  /** {@link #sweep(NabProfile)} for each profile, in order; each profile has its own best threshold. */
  public List<NabCorpusResult> sweep(List<NabProfile> profiles) {
    return profiles.stream().map(this::sweep).toList();
  }

  private static double rawScoreOf(List<NabSeriesResult> results) {
    CompensatedSum sum = new CompensatedSum();
    results.forEach(result -> sum.add(result.rawScore()));
    return sum.value();
  }

  /**
   * The corpus's scorable rows bucketed by distinct anomaly score, highest first, built once: per
   * row only what the sweep needs, its corpus-wide window number (or none) and its unweighted worth.
   */
  private static final class SweepOrder {

    private final double[] distinctScores;
    private final int[] bucketStarts;
    private final int[] windows;
    private final double[] worths;
    private final int windowCount;

    private SweepOrder(double[] distinctScores, int[] bucketStarts, int[] windows, double[] worths, int windowCount) {
      this.distinctScores = distinctScores;
      this.bucketStarts = bucketStarts;
      this.windows = windows;
      this.worths = worths;
      this.windowCount = windowCount;
    }

    static SweepOrder of(List<PreparedSeries> series) {
      double[] distinct = distinctScoresDescending(series);
      int scorableRows = series.stream().mapToInt(one -> one.rowCount() - one.probationLength()).sum();
      int[] bucketOfRow = new int[scorableRows];
      int[] bucketStarts = new int[distinct.length + 1];
      int next = 0;
      for (PreparedSeries one : series) {
        for (int row = one.probationLength(); row < one.rowCount(); row++) {
          int bucket = bucketOf(distinct, one.anomalyScore(row));
          bucketOfRow[next++] = bucket;
          bucketStarts[bucket + 1]++;
        }
      }
      for (int bucket = 0; bucket < distinct.length; bucket++) {
        bucketStarts[bucket + 1] += bucketStarts[bucket];
      }
      return fill(series, distinct, bucketStarts, bucketOfRow, scorableRows);
    }

    /** Counting sort of the scorable rows into their buckets (rows of one bucket keep corpus order). */
    private static SweepOrder fill(List<PreparedSeries> series, double[] distinct, int[] bucketStarts,
        int[] bucketOfRow, int scorableRows) {
      int[] windows = new int[scorableRows];
      double[] worths = new double[scorableRows];
      int[] nextSlot = Arrays.copyOf(bucketStarts, distinct.length);
      int next = 0;
      int windowOffset = 0;
      for (PreparedSeries one : series) {
        for (int row = one.probationLength(); row < one.rowCount(); row++) {
          int slot = nextSlot[bucketOfRow[next++]]++;
          int window = one.windowOfRow(row);
          windows[slot] = window == PreparedSeries.NO_WINDOW ? PreparedSeries.NO_WINDOW : windowOffset + window;
          worths[slot] = one.unweightedWorth(row);
        }
        windowOffset += one.windowCount();
      }
      return new SweepOrder(distinct, bucketStarts, windows, worths, windowOffset);
    }

    private static double[] distinctScoresDescending(List<PreparedSeries> series) {
      double[] scores = series.stream()
          .flatMapToDouble(one -> IntStream.range(one.probationLength(), one.rowCount())
              .mapToDouble(one::anomalyScore))
          .toArray();
      Arrays.sort(scores);
      int distinct = 0;
      for (int i = 0; i < scores.length; i++) {
        if (distinct == 0 || scores[i] != scores[distinct - 1]) {
          scores[distinct++] = scores[i];
        }
      }
      double[] descending = new double[distinct];
      for (int i = 0; i < distinct; i++) {
        descending[i] = scores[distinct - 1 - i];
      }
      return descending;
    }

    /** The bucket of a score in the descending distinct scores, by binary search. */
    private static int bucketOf(double[] descending, double score) {
      int low = 0;
      int high = descending.length - 1;
      while (low <= high) {
        int middle = (low + high) >>> 1;
        if (descending[middle] > score) {
          low = middle + 1;
        } else if (descending[middle] < score) {
          high = middle - 1;
        } else {
          return middle;
        }
      }
      throw new IllegalStateException("score " + score + " is not among the corpus's distinct scores");
    }

    /**
     * Lowers the threshold bucket by bucket: every row of a bucket becomes a detection. A false
     * positive adds A_FP times its worth; a detection inside a window replaces the window's
     * contribution (-A_FN while undetected) when it is worth more, so a window counts once, for
     * its earliest detection.
     */
    List<NabThresholdScore> sweep(NabProfile profile, double nullScore) {
      double[] windowContribution = new double[windowCount];
      Arrays.fill(windowContribution, -profile.falseNegativeWeight());
      CompensatedSum raw = new CompensatedSum();
      raw.add(nullScore);
      List<NabThresholdScore> curve = new ArrayList<>(distinctScores.length + 1);
      curve.add(new NabThresholdScore(NO_DETECTION_THRESHOLD, raw.value()));
      for (int bucket = 0; bucket < distinctScores.length; bucket++) {
        for (int slot = bucketStarts[bucket]; slot < bucketStarts[bucket + 1]; slot++) {
          detect(profile, slot, windowContribution, raw);
        }
        curve.add(new NabThresholdScore(distinctScores[bucket], raw.value()));
      }
      return curve;
    }

    private void detect(NabProfile profile, int slot, double[] windowContribution, CompensatedSum raw) {
      int window = windows[slot];
      if (window == PreparedSeries.NO_WINDOW) {
        raw.add(profile.falsePositiveWeight() * worths[slot]);
        return;
      }
      double worth = profile.truePositiveWeight() * worths[slot];
      if (worth > windowContribution[window]) {
        raw.add(worth - windowContribution[window]);
        windowContribution[window] = worth;
      }
    }
  }

  /**
   * Neumaier's compensated summation: the sweep adds up to a million small terms into one running
   * total; compensation keeps it as close to a fresh sum of the parts (NAB's way) as the last bits
   * allow, so the incremental sweep and {@link NabScorer#score} agree to about 1e-12.
   */
  private static final class CompensatedSum {

    private double sum;
    private double compensation;

    void add(double term) {
      double total = sum + term;
      if (Math.abs(sum) >= Math.abs(term)) {
        compensation += (sum - total) + term;
      } else {
        compensation += (term - total) + sum;
      }
      sum = total;
    }

    double value() {
      return sum + compensation;
    }
  }
}
