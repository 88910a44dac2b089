package io.fleetpulse.evaluation.nab;

import io.fleetpulse.testkit.SharedDatasets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The scorer on the shared NAB corpus (35 series, 55 windows), skipped where the corpus is absent.
 * The reference figures for the two synthetic detectors below were computed with NAB's published
 * sweep (sweeper.calcSweepScore, calcScoreByThreshold, optimizer's best-score pick, runner's
 * normalisation) re-typed in Python and run on this corpus.
 */
class NabRealCorpusTest {

  private static final String SMALL_SERIES = "realKnownCause/rogue_agent_key_hold.csv";

  @Test
  void a_small_real_series_scores_by_hand() {
    Path corpus = SharedDatasets.NAB.required();
    NabLabels labels = NabLabels.read(corpus.resolve("labels/combined_windows.json"));
    List<NabDataPoint> data = NabDataFiles.read(corpus.resolve("data").resolve(SMALL_SERIES));
    List<NabWindow> windows = labels.windowsOf(SMALL_SERIES);

    PreparedSeries prepared = PreparedSeries.of(new NabSeries(SMALL_SERIES, scores(data, new double[0]), windows));
    assertThat(data).hasSize(1882);
    assertThat(prepared.probationLength()).isEqualTo(282); // floor(0.15 * 1882)
    assertThat(List.of(prepared.windowFirstRow(0), prepared.windowLastRow(0), prepared.windowFirstRow(1),
        prepared.windowLastRow(1))).containsExactly(669, 763, 1240, 1334); // two windows of 95 rows

    double[] perfect = new double[data.size()];
    perfect[669] = 1;
    perfect[1240] = 1;
    double[] late = new double[data.size()];
    late[764] = 1; // a false positive right after window 1: p = 1 / 94
    late[1334] = 1; // window 2 caught at its last row: p = -1 / 95
    late[100] = 1; // probationary: ignored
    for (NabProfile profile : NabProfile.standardProfiles()) {
      NabScorer perfectScorer = NabScorer.of(List.of(new NabSeries(SMALL_SERIES, scores(data, perfect), windows)));
      assertThat(perfectScorer.sweep(profile).normalisedScore()).isCloseTo(100.0, within(1e-9));
      assertThat(perfectScorer.score(profile, NabScorer.NO_DETECTION_THRESHOLD).normalisedScore()).isZero();

      NabScorer lateScorer = NabScorer.of(List.of(new NabSeries(SMALL_SERIES, scores(data, late), windows)));
      double expected = -profile.falseNegativeWeight() - profile.falsePositiveWeight() * Math.tanh(2.5 / 94)
          + profile.truePositiveWeight() * Math.tanh(2.5 / 95) / Math.tanh(2.5);
      assertThat(lateScorer.score(profile, 0.5).rawScore()).as(profile.name()).isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void the_whole_corpus_matches_nabs_sweep_through_results_files(@TempDir Path results) {
    Path corpus = SharedDatasets.NAB.required();
    NabLabels labels = NabLabels.read(corpus.resolve("labels/combined_windows.json"));
    Map<String, List<NabDataPoint>> data = new LinkedHashMap<>();
    labels.seriesPaths().forEach(series -> data.put(series, NabDataFiles.read(corpus.resolve("data").resolve(series))));

    // every window of the corpus lies after its series' probation, so perfect and null are +-55 windows
    NabScorer perfect = NabScorer.of(seriesOf(data, labels, this::perfectScores));
    assertThat(perfect.scorableWindowCount()).isEqualTo(55);
    for (NabCorpusResult result : perfect.sweep(NabProfile.standardProfiles())) {
      assertThat(result.normalisedScore()).as(result.profile().name()).isCloseTo(100.0, within(1e-9));
      assertThat(result.corpusTotal().detectedWindows()).isEqualTo(55);
    }

    checkAgainstNab(results, "stepped", data, labels, 1000, new double[][] {
        {0.9971999999999999, -17.04167159045095, 34.50757128140823},
        {0.9992999999999999, -34.04401435259621, 19.050896043094358},
        {0.9971999999999999, -34.041671590450946, 46.035350551241855}}, 1938);
    checkAgainstNab(results, "fine", data, labels, 100003, new double[][] {
        {0.9984390468285951, -10.35813385948008, 40.58351467319993},
        {0.9985230443086708, -33.14117977030346, 19.87165475426958},
        {0.9979840604781856, -25.18810874543842, 51.401146214885806}}, 108427);
  }

  /**
   * Writes a synthetic detector's results in NAB's layout, reads them back, sweeps, and compares
   * with NAB's figures per profile: {threshold, raw score, normalised score}, and the sweep's length.
   */
  private void checkAgainstNab(Path results, String detector, Map<String, List<NabDataPoint>> data, NabLabels labels,
      int modulus, double[][] expected, int curveLength) {
    NabResultsWriter writer = new NabResultsWriter(results, detector);
    int index = 0;
    for (Map.Entry<String, List<NabDataPoint>> series : data.entrySet()) {
      List<NabWindow> windows = labels.windowsOf(series.getKey());
      writer.write(series.getKey(), syntheticResults(series.getValue(), windows, index++, modulus), windows);
    }
    NabScorer scorer = NabScorer.of(NabResultsReader.scoredRows(NabResultsReader.readDetector(results, detector)),
        labels);

    List<NabProfile> profiles = NabProfile.standardProfiles();
    for (int profile = 0; profile < profiles.size(); profile++) {
      NabCorpusResult best = scorer.sweep(profiles.get(profile));
      assertThat(best.threshold()).as(detector + " threshold").isEqualTo(expected[profile][0]);
      assertThat(best.rawScore()).as(detector + " raw").isCloseTo(expected[profile][1], within(1e-9));
      assertThat(best.normalisedScore()).as(detector + " normalised").isCloseTo(expected[profile][2], within(1e-9));
      assertThat(best.series()).hasSize(35);
    }
    assertThat(scorer.sweepCurve(NabProfile.STANDARD)).hasSize(curveLength);
  }

  /**
   * A deterministic stand-in detector: a scrambled row number in [0, 1), lifted into [0.3, 1) inside
   * windows, so every threshold trades catches against false positives on every series.
   */
  private static List<NabResultRow> syntheticResults(List<NabDataPoint> data, List<NabWindow> windows, int series,
      int modulus) {
    List<NabResultRow> rows = new ArrayList<>(data.size());
    for (int row = 0; row < data.size(); row++) {
      NabDataPoint point = data.get(row);
      double score = ((row * 7919L + 13L * series) % modulus) / (double) modulus;
      if (windows.stream().anyMatch(window -> window.contains(point.timestamp()))) {
        score = 0.3 + 0.7 * score;
      }
      rows.add(new NabResultRow(point.timestamp(), point.value(), score));
    }
    return rows;
  }

  private double[] perfectScores(List<NabDataPoint> data, List<NabWindow> windows) {
    double[] scores = new double[data.size()];
    for (NabWindow window : windows) {
      for (int row = 0; row < data.size(); row++) {
        if (window.contains(data.get(row).timestamp())) {
          scores[row] = 1;
          break;
        }
      }
    }
    return scores;
  }

  private static List<NabSeries> seriesOf(Map<String, List<NabDataPoint>> data, NabLabels labels,
      java.util.function.BiFunction<List<NabDataPoint>, List<NabWindow>, double[]> detector) {
    List<NabSeries> corpus = new ArrayList<>();
    data.forEach((series, points) -> corpus.add(new NabSeries(series,
        scores(points, detector.apply(points, labels.windowsOf(series))), labels.windowsOf(series))));
    return corpus;
  }

  private static List<NabScoredRow> scores(List<NabDataPoint> data, double[] scores) {
    List<NabScoredRow> rows = new ArrayList<>(data.size());
    for (int row = 0; row < data.size(); row++) {
      rows.add(new NabScoredRow(data.get(row).timestamp(), row < scores.length ? scores[row] : 0.0));
    }
    return rows;
  }
}
