package io.fleetpulse.evaluation.nab;

import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.anomaly.StreamingAnomalyDetector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A detector's anomaly scores for a NAB corpus, scored: the detector FleetPulse runs in device
 * actors applied offline to the CSV files ({@link #offline}), or any scores per series (those a
 * node stored, see {@link EndToEndNabEvaluation}), then written in NAB's results layout and scored
 * with the three profiles. Scores are rounded to float, as stored predictions are, so an offline
 * run and an end-to-end run of the same detector can be compared exactly.
 *
 * <p>Usage: {@code NabEvaluation <nab dir> [results dir=target/nab-results]} scores the detector
 * offline and prints the three profiles per category and in total.
 */
public final class NabEvaluation {

  /** The name results are filed under (NAB's results/&lt;detector&gt;/...). */
  public static final String DETECTOR_NAME = "fleetpulse";

  /** The scores of a corpus and how they fared, one result per profile. */
  public record Outcome(Map<String, List<NabResultRow>> rowsBySeries, List<NabCorpusResult> profiles, double microsPerReading) {}

  private NabEvaluation() {}

  /** The device id a series is replayed as: {@code sig-} and its path, lowercase, other characters as '-'. */
  public static String deviceId(String seriesPath) {
    String stem = seriesPath.endsWith(".csv") ? seriesPath.substring(0, seriesPath.length() - 4) : seriesPath;
    return "sig-" + stem.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  /** The series of the corpus in {@code nabDirectory} (data/ and labels/), each with its rows in file order. */
  public static Map<String, List<NabDataPoint>> corpus(Path nabDirectory) {
    Path data = nabDirectory.resolve("data");
    Map<String, List<NabDataPoint>> series = new LinkedHashMap<>();
    for (String path : NabDataFiles.seriesPaths(data)) {
      series.put(path, NabDataFiles.read(data.resolve(path)));
    }
    return series;
  }

  /** Runs a fresh detector over each series of the corpus, in file order, and scores the result. */
  public static Outcome offline(Path nabDirectory, AnomalySettings settings) {
    return offline(nabDirectory, corpus(nabDirectory), settings);
  }

  /** Runs a fresh detector over each of the given series (rows in file order) and scores the result. */
  public static Outcome offline(Path nabDirectory, Map<String, List<NabDataPoint>> series, AnomalySettings settings) {
    Map<String, List<NabResultRow>> rows = new LinkedHashMap<>();
    long readings = 0;
    long started = System.nanoTime();
    for (Map.Entry<String, List<NabDataPoint>> one : series.entrySet()) {
      StreamingAnomalyDetector detector = new StreamingAnomalyDetector(settings);
      List<NabResultRow> scored = new ArrayList<>(one.getValue().size());
      for (NabDataPoint point : one.getValue()) {
        scored.add(new NabResultRow(point.timestamp(), point.value(), (float) detector.score(point.value()).anomaly()));
      }
      readings += scored.size();
      rows.put(one.getKey(), scored);
    }
    double micros = readings == 0 ? 0 : (System.nanoTime() - started) / 1e3 / readings;
    Outcome scored = score(nabDirectory, rows);
    return new Outcome(scored.rowsBySeries(), scored.profiles(), micros);
  }

  /** Scores the given rows per series with the corpus's labels and the three standard profiles. */
  public static Outcome score(Path nabDirectory, Map<String, List<NabResultRow>> rowsBySeries) {
    NabLabels labels = NabLabels.read(nabDirectory.resolve("labels").resolve("combined_windows.json"));
    Map<String, List<NabScoredRow>> scored = new LinkedHashMap<>();
    rowsBySeries.forEach((path, rows) -> scored.put(path, rows.stream().map(NabResultRow::toScoredRow).toList()));
    NabScorer scorer = NabScorer.of(scored, labels);
    return new Outcome(rowsBySeries, scorer.sweep(NabProfile.standardProfiles()), 0);
  }

  /** Writes each series' rows as {@code <results>/fleetpulse/<category>/fleetpulse_<file>}. */
  public static void write(Path nabDirectory, Path resultsDirectory, Map<String, List<NabResultRow>> rowsBySeries) {
    NabLabels labels = NabLabels.read(nabDirectory.resolve("labels").resolve("combined_windows.json"));
    NabResultsWriter writer = new NabResultsWriter(resultsDirectory, DETECTOR_NAME);
    rowsBySeries.forEach((path, rows) -> writer.write(path, rows, labels.windowsOf(path)));
  }

  /** The three profiles' normalised scores per category and in total, with each profile's threshold. */
  public static void print(String title, List<NabCorpusResult> profiles, PrintStream out) {
    out.println(title);
    out.printf(Locale.ROOT, "  %-24s", "");
    profiles.forEach(profile -> out.printf(Locale.ROOT, " %20s", profile.profile().name()));
    out.println();
    for (String category : profiles.get(0).categoryTotals().keySet()) {
      out.printf(Locale.ROOT, "  %-24s", category);
      profiles.forEach(profile -> out.printf(Locale.ROOT, " %20s", number(profile.normalisedScoreOf(profile.categoryTotals().get(category)))));
      out.println();
    }
    out.printf(Locale.ROOT, "  %-24s", "total");
    profiles.forEach(profile -> out.printf(Locale.ROOT, " %20s", number(profile.normalisedScore())));
    out.println();
    out.printf(Locale.ROOT, "  %-24s", "threshold");
    profiles.forEach(profile -> out.printf(Locale.ROOT, " %20.6f", profile.threshold()));
    out.println();
  }

  private static String number(double score) {
    return Double.isNaN(score) ? "-" : String.format(Locale.ROOT, "%.2f", score);
  }

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: NabEvaluation <nab dir> [results dir=target/nab-results]");
      System.exit(2);
    }
    Path nab = Path.of(args[0]);
    Path results = Path.of(args.length > 1 ? args[1] : "target/nab-results");
    Outcome outcome = offline(nab, AnomalySettings.fromConfig(com.typesafe.config.ConfigFactory.load()));
    write(nab, results, outcome.rowsBySeries());
    print("detector " + AnomalySettings.DETECTOR_VERSION + " offline on " + outcome.rowsBySeries().size()
        + " series (NAB normalised scores; no data: -):", outcome.profiles(), System.out);
    System.out.printf(Locale.ROOT, "  %.1f us per reading; results in %s%n", outcome.microsPerReading(),
        results.resolve(DETECTOR_NAME).toAbsolutePath());
  }
}
