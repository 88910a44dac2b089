package io.fleetpulse.evaluation.nab;

import static io.fleetpulse.evaluation.nab.SyntheticSeries.at;
import static io.fleetpulse.evaluation.nab.SyntheticSeries.constant;
import static io.fleetpulse.evaluation.nab.SyntheticSeries.detectionsAt;
import static io.fleetpulse.evaluation.nab.SyntheticSeries.rows;
import static io.fleetpulse.evaluation.nab.SyntheticSeries.series;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The NAB scoring rules, one test per rule, on small series whose scores are worked out by hand.
 * The hand values use the identity sigma(p) = 2 / (1 + e^(5p)) - 1 = -tanh(2.5 p), so they are
 * computed differently from the scorer. Most series have 40 rows (probation: floor(0.15 * 40) =
 * 6 rows) and one window on rows 10..14 (width W = 5, right edge R = 14).
 */
class NabScorerTest {

  private static final Offset<Double> EXACT = within(1e-12);

  /** sigma(-1), what the earliest detection in a window is divided by. */
  private static final double SIGMA_OF_MINUS_ONE = Math.tanh(2.5);

  private static final NabProfile STANDARD = NabProfile.STANDARD;

  @Test
  void probation_is_fifteen_percent_of_the_rows_rounded_down_and_at_most_750() {
    assertThat(NabScorer.probationLength(0)).isZero();
    assertThat(NabScorer.probationLength(6)).isZero(); // 0.9
    assertThat(NabScorer.probationLength(7)).isEqualTo(1); // 1.05
    assertThat(NabScorer.probationLength(40)).isEqualTo(6);
    assertThat(NabScorer.probationLength(1882)).isEqualTo(282); // 282.3
    assertThat(NabScorer.probationLength(4032)).isEqualTo(604); // 604.8
    assertThat(NabScorer.probationLength(4999)).isEqualTo(749); // 749.85
    assertThat(NabScorer.probationLength(5000)).isEqualTo(750);
    assertThat(NabScorer.probationLength(22695)).as("capped at 0.15 * 5000").isEqualTo(750);
  }

  @Test
  void the_scaled_sigmoid_takes_nabs_values() {
    assertThat(NabScorer.scaledSigmoid(-1)).isCloseTo(0.9866142981514305, EXACT);
    assertThat(NabScorer.scaledSigmoid(-0.5)).isCloseTo(0.8482836399575131, EXACT);
    assertThat(NabScorer.scaledSigmoid(0)).isZero();
    assertThat(NabScorer.scaledSigmoid(1)).isCloseTo(-0.9866142981514305, EXACT);
    assertThat(NabScorer.scaledSigmoid(0.25)).isCloseTo(-Math.tanh(0.625), EXACT);
    assertThat(NabScorer.scaledSigmoid(3)).as("3 itself is not clamped").isCloseTo(-Math.tanh(7.5), EXACT)
        .isGreaterThan(-1.0);
    assertThat(NabScorer.scaledSigmoid(3.0001)).isEqualTo(-1.0);
    assertThat(NabScorer.scaledSigmoid(1000)).isEqualTo(-1.0);
  }

  @Test
  void a_detection_at_a_windows_first_row_earns_the_full_true_positive_weight() {
    NabSeriesResult result = scoreOne(series("s.csv", detectionsAt(40, 10), rows(10, 14)), STANDARD);

    // p = -(14 - 10 + 1) / 5 = -1: sigma(-1) / sigma(-1) = 1
    assertThat(result.truePositiveScore()).isCloseTo(1.0, EXACT);
    assertThat(result.rawScore()).isCloseTo(1.0, EXACT);
    assertThat(result.detectedWindows()).isEqualTo(1);
    assertThat(result.missedWindows()).isZero();
  }

  @Test
  void a_later_detection_in_a_window_earns_less() {
    // row 13: p = -(14 - 13 + 1) / 5 = -0.4; row 14, the last: p = -1 / 5 = -0.2
    assertThat(raw(series("s.csv", detectionsAt(40, 13), rows(10, 14)), STANDARD))
        .isCloseTo(Math.tanh(1.0) / SIGMA_OF_MINUS_ONE, EXACT).isCloseTo(0.77192694, within(1e-8));
    assertThat(raw(series("s.csv", detectionsAt(40, 14), rows(10, 14)), STANDARD))
        .isCloseTo(Math.tanh(0.5) / SIGMA_OF_MINUS_ONE, EXACT).isCloseTo(0.46838684, within(1e-8));
  }

  @Test
  void the_earliest_detection_in_a_window_wins_and_the_window_counts_once() {
    NabSeriesResult result = scoreOne(series("s.csv", detectionsAt(40, 11, 12, 13), rows(10, 14)), STANDARD);

    // row 11 is the earliest: p = -(14 - 11 + 1) / 5 = -0.8, worth sigma(-0.8) / sigma(-1); rows 12 and 13 add nothing
    assertThat(result.rawScore()).isCloseTo(Math.tanh(2.0) / SIGMA_OF_MINUS_ONE, EXACT)
        .isCloseTo(0.97710684, within(1e-8));
    assertThat(result.detectedWindows()).isEqualTo(1);
    assertThat(result.truePositiveRows()).isEqualTo(3);
    assertThat(result.falsePositiveRows()).isZero();
  }

  @Test
  void a_missed_window_costs_a_false_negative() {
    NabSeries missed = series("s.csv", detectionsAt(40), rows(10, 14));

    NabSeriesResult standard = scoreOne(missed, STANDARD);
    assertThat(standard.rawScore()).isEqualTo(-1.0);
    assertThat(standard.falseNegativeScore()).isEqualTo(-1.0);
    assertThat(standard.missedWindows()).isEqualTo(1);
    assertThat(standard.falseNegativeRows()).isEqualTo(5);
    assertThat(raw(missed, NabProfile.REWARD_LOW_FALSE_NEGATIVE_RATE)).isEqualTo(-2.0);
  }

  @Test
  void a_false_positive_with_no_preceding_window_costs_the_full_false_positive_weight() {
    // row 7: after probation, before the only window
    NabSeriesResult result = scoreOne(series("s.csv", detectionsAt(40, 7, 10), rows(10, 14)), STANDARD);
    assertThat(result.falsePositiveScore()).isCloseTo(-0.11, EXACT);
    assertThat(result.rawScore()).isCloseTo(1.0 - 0.11, EXACT);

    NabSeriesResult noWindows = scoreOne(series("s.csv", detectionsAt(40, 30)), STANDARD);
    assertThat(noWindows.rawScore()).isCloseTo(-0.11, EXACT);
    assertThat(noWindows.falsePositiveRows()).isEqualTo(1);
  }

  @Test
  void a_false_positive_right_after_a_window_costs_less_than_a_far_one() {
    // p = |14 - i| / (5 - 1): row 15 -> 0.25, row 20 -> 1.5
    double right = scoreOne(series("s.csv", detectionsAt(40, 15), rows(10, 14)), STANDARD).falsePositiveScore();
    double far = scoreOne(series("s.csv", detectionsAt(40, 20), rows(10, 14)), STANDARD).falsePositiveScore();

    assertThat(right).isCloseTo(-0.11 * Math.tanh(0.625), EXACT).isCloseTo(-0.0610060, within(1e-7));
    assertThat(far).isCloseTo(-0.11 * Math.tanh(3.75), EXACT);
    assertThat(right).as("right after the window costs less").isGreaterThan(far);
    assertThat(far).isGreaterThan(-0.11);
  }

  @Test
  void a_false_positive_beyond_three_window_widths_costs_the_full_false_positive_weight() {
    // row 27: p = 13 / 4 = 3.25 > 3 -> sigma = -1; row 26: p = 12 / 4 = 3 exactly, not yet clamped
    double beyond = scoreOne(series("s.csv", detectionsAt(40, 27), rows(10, 14)), STANDARD).falsePositiveScore();
    double atThree = scoreOne(series("s.csv", detectionsAt(40, 26), rows(10, 14)), STANDARD).falsePositiveScore();

    assertThat(beyond).isEqualTo(-0.11);
    assertThat(atThree).isCloseTo(-0.11 * Math.tanh(7.5), EXACT).isGreaterThan(-0.11);
  }

  @Test
  void a_false_positive_is_measured_from_the_nearest_preceding_window() {
    // windows 10..14 (W = 5) and 25..34 (W = 10); 60 rows, probation 9
    NabWindow[] windows = {rows(10, 14), rows(25, 34)};
    double afterSecond = scoreOne(series("s.csv", detectionsAt(60, 36), windows), STANDARD).falsePositiveScore();
    double betweenThem = scoreOne(series("s.csv", detectionsAt(60, 20), windows), STANDARD).falsePositiveScore();

    // row 36: p = |34 - 36| / (10 - 1) = 2/9; row 20: p = |14 - 20| / (5 - 1) = 1.5
    assertThat(afterSecond).isCloseTo(-0.11 * Math.tanh(2.5 * 2 / 9), EXACT);
    assertThat(betweenThem).isCloseTo(-0.11 * Math.tanh(3.75), EXACT);
  }

  @Test
  void a_false_positive_after_a_one_row_window_costs_the_full_weight() {
    // NAB divides by W - 1 = 0 here and fails; the scorer takes p as infinite, so sigma = -1
    assertThat(scoreOne(series("s.csv", detectionsAt(40, 11), rows(10, 10)), STANDARD).falsePositiveScore())
        .isEqualTo(-0.11);
  }

  @Test
  void detections_in_probation_are_ignored() {
    // rows 0..5 are probationary: a detection at row 5 is neither a false positive nor a catch
    NabSeriesResult result = scoreOne(series("s.csv", detectionsAt(40, 0, 5), rows(10, 14)), STANDARD);

    assertThat(result.probationRows()).isEqualTo(6);
    assertThat(result.falsePositiveRows()).isZero();
    assertThat(result.falsePositiveScore()).isZero();
    assertThat(result.rawScore()).isEqualTo(-1.0);
    assertThat(result.truePositiveRows() + result.falseNegativeRows() + result.falsePositiveRows()
        + result.trueNegativeRows()).as("only the 34 rows after probation are counted").isEqualTo(34);
  }

  @Test
  void a_window_partly_in_probation_scores_only_its_later_rows_at_its_full_width() {
    NabWindow window = rows(4, 9); // W = 6, R = 9; rows 4 and 5 are probationary

    assertThat(raw(series("s.csv", detectionsAt(40, 4), window), STANDARD)).as("a probationary catch is ignored")
        .isEqualTo(-1.0);
    // row 7: p = -(9 - 7 + 1) / 6 = -0.5
    assertThat(raw(series("s.csv", detectionsAt(40, 4, 7), window), STANDARD))
        .isCloseTo(Math.tanh(1.25) / SIGMA_OF_MINUS_ONE, EXACT);
  }

  @Test
  void a_window_wholly_in_probation_is_ignored_but_still_measures_false_positives_after_it() {
    NabScorer scorer = NabScorer.of(List.of(series("s.csv", detectionsAt(40, 2, 6), rows(1, 4))));
    NabSeriesResult result = scorer.score(STANDARD, 0.5).series().get(0);

    assertThat(scorer.scorableWindowCount()).isZero();
    assertThat(result.windowCount()).isEqualTo(1);
    assertThat(result.detectedWindows() + result.missedWindows()).isZero();
    // row 6 comes after the (probationary) window 1..4: p = |4 - 6| / 3, as NAB's sweeper tracks windows through probation
    assertThat(result.rawScore()).isCloseTo(-0.11 * Math.tanh(2.5 * 2 / 3), EXACT);
    assertThat(scorer.normalise(STANDARD, result.rawScore())).as("no scorable window: no scale").isNaN();
  }

  @Test
  void the_three_profiles_weigh_the_same_detections_differently() {
    // windows 10..14 and 25..34 in 60 rows (probation 9): row 13 catches the first late (p = -0.4), row 9
    // is a false positive with no window before it, the second window is missed
    NabSeries series = series("s.csv", detectionsAt(60, 9, 13), rows(10, 14), rows(25, 34));
    double caught = Math.tanh(1.0) / SIGMA_OF_MINUS_ONE;

    assertThat(raw(series, NabProfile.STANDARD)).isCloseTo(caught - 1 - 0.11, EXACT);
    assertThat(raw(series, NabProfile.REWARD_LOW_FALSE_POSITIVE_RATE)).isCloseTo(caught - 1 - 0.22, EXACT);
    assertThat(raw(series, NabProfile.REWARD_LOW_FALSE_NEGATIVE_RATE)).isCloseTo(caught - 2 - 0.11, EXACT);
  }

  @Test
  void the_perfect_detector_normalises_to_100_and_the_null_detector_to_0() {
    List<NabSeries> corpus = List.of(
        series("a/one.csv", detectionsAt(60, 10, 25), rows(10, 14), rows(25, 34)),
        series("b/two.csv", detectionsAt(40, 20), rows(20, 30)));
    NabScorer scorer = NabScorer.of(corpus);

    for (NabProfile profile : NabProfile.standardProfiles()) {
      NabCorpusResult perfect = scorer.sweep(profile);
      assertThat(perfect.threshold()).isEqualTo(1.0);
      assertThat(perfect.perfectScore()).isEqualTo(3 * profile.truePositiveWeight());
      assertThat(perfect.nullScore()).isEqualTo(-3 * profile.falseNegativeWeight());
      assertThat(perfect.rawScore()).isCloseTo(perfect.perfectScore(), EXACT);
      assertThat(perfect.normalisedScore()).as(profile.name()).isCloseTo(100.0, EXACT);

      NabCorpusResult never = scorer.score(profile, NabScorer.NO_DETECTION_THRESHOLD);
      assertThat(never.rawScore()).isEqualTo(never.nullScore());
      assertThat(never.normalisedScore()).isZero();
      assertThat(scorer.normalise(profile, (perfect.perfectScore() + perfect.nullScore()) / 2))
          .as("halfway between null and perfect").isCloseTo(50.0, EXACT);
    }
  }

  @Test
  void a_detector_no_better_than_never_firing_gets_the_no_detection_threshold_and_0() {
    // 400 rows, window 200..239: firing everywhere buys one catch for ~300 false positives
    NabScorer scorer = NabScorer.of(List.of(series("s.csv", constant(400, 0.5), rows(200, 239))));

    assertThat(scorer.sweepCurve(STANDARD)).extracting(NabThresholdScore::threshold).containsExactly(1.1, 0.5);
    NabCorpusResult best = scorer.sweep(STANDARD);
    assertThat(best.threshold()).isEqualTo(NabScorer.NO_DETECTION_THRESHOLD);
    assertThat(best.rawScore()).isEqualTo(-1.0);
    assertThat(best.normalisedScore()).isZero();
  }

  @Test
  void the_sweep_picks_the_threshold_with_the_best_raw_score() {
    double[] scores = constant(40, 0.1);
    for (int row = 0; row < 6; row++) {
      scores[row] = 0.05; // probationary rows: never a candidate threshold
    }
    scores[7] = 0.9; // a false positive before the window: -0.11
    scores[10] = 0.7; // the window's first row: +1 instead of -1
    scores[16] = 0.5; // a false positive after the window: p = 2 / 4
    NabScorer scorer = NabScorer.of(List.of(series("s.csv", scores, rows(10, 14))));

    List<NabThresholdScore> curve = scorer.sweepCurve(STANDARD);
    assertThat(curve).extracting(NabThresholdScore::threshold).containsExactly(1.1, 0.9, 0.7, 0.5, 0.1);
    assertThat(curve.get(0).rawScore()).isEqualTo(-1.0);
    assertThat(curve.get(1).rawScore()).isCloseTo(-1.11, EXACT);
    assertThat(curve.get(2).rawScore()).isCloseTo(0.89, EXACT);
    assertThat(curve.get(3).rawScore()).isCloseTo(0.89 - 0.11 * Math.tanh(1.25), EXACT);
    assertThat(curve.get(4).rawScore()).isLessThan(curve.get(3).rawScore());

    NabCorpusResult best = scorer.sweep(STANDARD);
    assertThat(best.threshold()).isEqualTo(0.7);
    assertThat(best.rawScore()).isCloseTo(0.89, EXACT);
    assertThat(best.normalisedScore()).isCloseTo(100 * (0.89 + 1) / 2, EXACT); // 94.5
  }

  @Test
  void a_threshold_between_anomaly_scores_detects_the_rows_at_or_above_it() {
    double[] scores = constant(40, 0.0);
    scores[10] = 0.7;
    scores[20] = 0.6;
    NabScorer scorer = NabScorer.of(List.of(series("s.csv", scores, rows(10, 14))));

    assertThat(scorer.score(STANDARD, 0.65).rawScore()).isEqualTo(scorer.score(STANDARD, 0.7).rawScore())
        .isCloseTo(1.0, EXACT);
    assertThat(scorer.score(STANDARD, 0.6).series().get(0).falsePositiveRows()).as(">= threshold").isEqualTo(1);
    assertThat(scorer.score(STANDARD, 0.7000001).rawScore()).isEqualTo(-1.0);
  }

  @Test
  void the_sweep_breaks_ties_towards_the_higher_threshold() {
    double[] scores = constant(40, 0.0);
    scores[10] = 0.8; // catches the window at its first row
    scores[12] = 0.6; // a later row of the same window: adds nothing
    NabScorer scorer = NabScorer.of(List.of(series("s.csv", scores, rows(10, 14))));

    List<NabThresholdScore> curve = scorer.sweepCurve(STANDARD);
    assertThat(curve.get(1).rawScore()).isEqualTo(curve.get(2).rawScore());
    assertThat(scorer.sweep(STANDARD).threshold()).isEqualTo(0.8);
  }

  @Test
  void one_threshold_is_shared_by_the_whole_corpus() {
    double[] first = constant(40, 0.0);
    first[10] = 0.9; // catches its window
    first[20] = 0.95; // and a false positive above that: p = 6 / 4
    double[] second = constant(40, 0.0);
    second[10] = 0.6; // catches its window only at a lower threshold
    NabScorer scorer = NabScorer.of(List.of(series("a/first.csv", first, rows(10, 14)),
        series("a/second.csv", second, rows(10, 14))));

    NabCorpusResult best = scorer.sweep(STANDARD);

    assertThat(best.threshold()).isEqualTo(0.6);
    assertThat(best.series()).extracting(NabSeriesResult::rawScore).satisfiesExactly(
        first1 -> assertThat(first1).isCloseTo(1 - 0.11 * Math.tanh(3.75), EXACT),
        second1 -> assertThat(second1).isCloseTo(1.0, EXACT));
    assertThat(best.rawScore()).isCloseTo(2 - 0.11 * Math.tanh(3.75), EXACT);
  }

  @Test
  void the_sweep_agrees_with_scoring_each_threshold_directly() {
    Random random = new Random(42);
    List<NabSeries> corpus = new ArrayList<>();
    for (int index = 0; index < 6; index++) {
      int rowCount = 300 + random.nextInt(500);
      double[] scores = new double[rowCount];
      for (int row = 0; row < rowCount; row++) {
        scores[row] = random.nextInt(21) / 20.0; // steps of 0.05: many ties
      }
      List<NabWindow> windows = new ArrayList<>();
      for (int first = 30 + random.nextInt(60); first + 40 < rowCount; first += 120 + random.nextInt(150)) {
        windows.add(rows(first, first + 10 + random.nextInt(30)));
      }
      corpus.add(new NabSeries("c" + index % 2 + "/s" + index + ".csv", series("x", scores).rows(), windows));
    }
    NabScorer scorer = NabScorer.of(corpus);

    for (NabProfile profile : NabProfile.standardProfiles()) {
      List<NabThresholdScore> curve = scorer.sweepCurve(profile);
      assertThat(curve).hasSize(22);
      for (NabThresholdScore point : curve) {
        assertThat(point.rawScore()).as("%s at %s", profile.name(), point.threshold())
            .isCloseTo(scorer.score(profile, point.threshold()).rawScore(), within(1e-9));
      }
      double bestOfCurve = curve.stream().mapToDouble(NabThresholdScore::rawScore).max().orElseThrow();
      assertThat(scorer.sweep(profile).rawScore()).isCloseTo(bestOfCurve, within(1e-9));
    }
  }

  @Test
  void row_counts_follow_nabs_sweeper() {
    // 40 rows, probation 6, window 10..14; detections: 3 (probation), 7 (false positive), 11 and 13
    // (in the window), 20 (false positive)
    NabSeriesResult result = scoreOne(series("s.csv", detectionsAt(40, 3, 7, 11, 13, 20), rows(10, 14)), STANDARD);

    assertThat(result.rowCount()).isEqualTo(40);
    assertThat(result.probationRows()).isEqualTo(6);
    assertThat(result.truePositiveRows()).isEqualTo(2);
    assertThat(result.falseNegativeRows()).isEqualTo(3);
    assertThat(result.falsePositiveRows()).isEqualTo(2);
    assertThat(result.trueNegativeRows()).isEqualTo(34 - 5 - 2);
    assertThat(result.rawScore()).isCloseTo(
        Math.tanh(2.0) / SIGMA_OF_MINUS_ONE - 0.11 - 0.11 * Math.tanh(3.75), EXACT);
  }

  @Test
  void the_breakdown_adds_up_per_category_and_for_the_corpus() {
    NabScorer scorer = NabScorer.of(List.of(
        series("realA/one.csv", detectionsAt(40, 10), rows(10, 14)),
        series("artificialB/two.csv", detectionsAt(40, 30), rows(10, 14)),
        series("realA/three.csv", detectionsAt(40, 7))));

    NabCorpusResult result = scorer.score(STANDARD, 0.5);
    Map<String, NabSeriesResult> categories = result.categoryTotals();

    assertThat(categories).containsOnlyKeys("artificialB", "realA");
    assertThat(categories.keySet()).containsExactly("artificialB", "realA");
    NabSeriesResult real = categories.get("realA");
    assertThat(real.windowCount()).isEqualTo(1);
    assertThat(real.detectedWindows()).isEqualTo(1);
    assertThat(real.falsePositiveRows()).isEqualTo(1);
    assertThat(real.rawScore()).isCloseTo(1 - 0.11, EXACT);
    assertThat(result.normalisedScoreOf(real)).isCloseTo(100 * (0.89 + 1) / 2, EXACT);
    NabSeriesResult artificial = categories.get("artificialB");
    assertThat(artificial.missedWindows()).isEqualTo(1);
    assertThat(artificial.rawScore()).as("row 30: p = 16 / 4 > 3").isCloseTo(-1 - 0.11, EXACT);
    assertThat(result.corpusTotal().rawScore()).isCloseTo(result.rawScore(), EXACT);
    assertThat(result.series()).extracting(NabSeriesResult::category)
        .containsExactly("realA", "artificialB", "realA");
  }

  @Test
  void windows_map_to_the_rows_whose_timestamps_fall_inside_them_inclusive() {
    NabWindow exact = rows(10, 14);
    NabWindow loose = new NabWindow(at(10).minusMinutes(2), at(14).plusMinutes(2));

    for (NabWindow window : List.of(exact, loose)) {
      PreparedSeries prepared = PreparedSeries.of(series("s.csv", detectionsAt(40), window));
      assertThat(prepared.windowFirstRow(0)).isEqualTo(10);
      assertThat(prepared.windowLastRow(0)).isEqualTo(14);
      assertThat(raw(series("s.csv", detectionsAt(40, 14), window), STANDARD)).as("last row is inside")
          .isCloseTo(Math.tanh(0.5) / SIGMA_OF_MINUS_ONE, EXACT);
      assertThat(scoreOne(series("s.csv", detectionsAt(40, 9, 15), window), STANDARD).falsePositiveRows())
          .as("the rows either side are outside").isEqualTo(2);
    }
  }

  @Test
  void a_window_holding_no_row_is_refused() {
    NabWindow between = new NabWindow(at(10).plusMinutes(1), at(10).plusMinutes(4));
    assertThatThrownBy(() -> NabScorer.of(List.of(series("s.csv", detectionsAt(40), between))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no row");
  }

  @Test
  void overlapping_windows_are_refused() {
    assertThatThrownBy(() -> NabScorer.of(List.of(series("s.csv", detectionsAt(40), rows(10, 14), rows(14, 20)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
  }

  @Test
  void anomaly_scores_outside_zero_to_one_are_refused() {
    assertThatThrownBy(() -> new NabScoredRow(at(0), 1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NabScoredRow(at(0), -0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NabScoredRow(at(0), Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new NabScoredRow(at(0), -0.0).anomalyScore()).isEqualTo(0.0);
  }

  @Test
  void an_unlabelled_series_is_refused() {
    NabLabels labels = NabLabels.of(Map.of("a/known.csv", List.of()));
    Map<String, List<NabScoredRow>> rows = Map.of("a/unknown.csv", series("x", detectionsAt(10)).rows());

    assertThatThrownBy(() -> NabScorer.of(rows, labels)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/unknown.csv");
  }

  private static NabSeriesResult scoreOne(NabSeries series, NabProfile profile) {
    return NabScorer.of(List.of(series)).score(profile, 0.5).series().get(0);
  }

  private static double raw(NabSeries series, NabProfile profile) {
    return scoreOne(series, profile).rawScore();
  }
}
