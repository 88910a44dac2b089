package io.fleetpulse.evaluation.nab;

import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.evaluation.StoredPredictions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores the anomaly scores a running node stored for replayed NAB series, read back through the
 * data-team query API: series {@code s} is device {@link NabEvaluation#deviceId}, its row i the
 * message with sequence number i + 1, its score output 0 of model {@code anomaly:value}. Writes the
 * per-series results files in NAB's layout, prints the three profiles per category and in total
 * beside an offline run of the same detector over the CSV files, and how many rows differ (the two
 * must agree: no difference between the detector in the fleet and the one on the files). A row the
 * node did not store counts as score 0 and is reported.
 *
 * <p>Usage: {@code EndToEndNabEvaluation <node url> <nab dir> [results dir=target/nab-results-end-to-end] [series...]}
 */
public final class EndToEndNabEvaluation {

  /** The model the univariate-signal profile stores a series' scores as. */
  public static final String MODEL = DeviceProfile.anomalyModel("value");

  /** What the node stored, scored, and how it compares with the offline run over the same series. */
  public record Comparison(NabEvaluation.Outcome stored, NabEvaluation.Outcome offline, long missingRows, long differingRows) {}

  private EndToEndNabEvaluation() {}

  public static Comparison evaluate(String nodeUrl, Path nabDirectory, List<String> seriesPaths)
      throws IOException, InterruptedException {
    Map<String, List<NabDataPoint>> corpus = NabEvaluation.corpus(nabDirectory);
    Map<String, List<NabDataPoint>> chosen = new LinkedHashMap<>();
    for (String path : seriesPaths.isEmpty() ? List.copyOf(corpus.keySet()) : seriesPaths) {
      if (!corpus.containsKey(path)) {
        throw new IllegalArgumentException("no series " + path + " in " + nabDirectory.resolve("data"));
      }
      chosen.put(path, corpus.get(path));
    }
    NabEvaluation.Outcome offline = NabEvaluation.offline(nabDirectory, chosen,
        AnomalySettings.fromConfig(com.typesafe.config.ConfigFactory.load()));
    Map<String, List<NabResultRow>> stored = new LinkedHashMap<>();
    long missing = 0;
    long differing = 0;
    for (Map.Entry<String, List<NabDataPoint>> series : chosen.entrySet()) {
      List<NabDataPoint> points = series.getValue();
      Map<Long, Double> scores = StoredPredictions.bySequence(nodeUrl, NabEvaluation.deviceId(series.getKey()), MODEL, 0);
      List<NabResultRow> expected = offline.rowsBySeries().get(series.getKey());
      List<NabResultRow> rows = new ArrayList<>(points.size());
      for (int i = 0; i < points.size(); i++) {
        Double score = scores.get(i + 1L);
        if (score == null) {
          missing++;
        }
        // Stored as float, served as the float's shortest decimal: back to that float, as offline rounds.
        NabResultRow row = new NabResultRow(points.get(i).timestamp(), points.get(i).value(),
            score == null ? 0.0 : (double) score.floatValue());
        if (row.anomalyScore() != expected.get(i).anomalyScore()) {
          differing++;
        }
        rows.add(row);
      }
      stored.put(series.getKey(), rows);
    }
    return new Comparison(NabEvaluation.score(nabDirectory, stored), offline, missing, differing);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: EndToEndNabEvaluation <node url> <nab dir> [results dir=target/nab-results-end-to-end] [series...]");
      System.exit(2);
    }
    Path nab = Path.of(args[1]);
    Path results = Path.of(args.length > 2 ? args[2] : "target/nab-results-end-to-end");
    List<String> series = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
    Comparison comparison = evaluate(args[0], nab, series);
    NabEvaluation.write(nab, results, comparison.stored().rowsBySeries());
    int count = comparison.stored().rowsBySeries().size();
    NabEvaluation.print("end to end (MQTT -> node -> Cassandra -> /api/data), " + count + " series:",
        comparison.stored().profiles(), System.out);
    NabEvaluation.print("offline (the same detector on the CSV files), the same series:", comparison.offline().profiles(), System.out);
    long rows = comparison.stored().rowsBySeries().values().stream().mapToLong(List::size).sum();
    System.out.printf(Locale.ROOT, "rows: %d; not stored: %d; score differing from offline: %d; results in %s%n",
        rows, comparison.missingRows(), comparison.differingRows(), results.resolve(NabEvaluation.DETECTOR_NAME).toAbsolutePath());
    if (comparison.missingRows() > 0) {
      // The broker holds what the node has not taken yet: a replay faster than the node ends first.
      System.err.printf(Locale.ROOT, "%d rows have no stored score, so the end-to-end scores above are not the detector's:"
          + " the node may still be working through the broker's backlog (compare messages.received in"
          + " /api/fleet/summary with the replay's count) and this should be run again%n", comparison.missingRows());
      System.exit(1);
    }
  }
}
