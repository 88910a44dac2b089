package io.fleetpulse.evaluation.cmapss;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores the RUL predictions a running node stored for replayed C-MAPSS test engines, read back
 * through the data-team query API exactly as a data team would: for each engine, the prediction
 * for its last cycle, against RUL_FDxxx.txt capped like the training targets. Prints it beside the
 * offline evaluation of the same model on the same files; the two must agree (no train/serve skew).
 *
 * <p>Usage: {@code EndToEndRulEvaluation <node url> <cmapss dir> <registry dir> [model=rul-fd001] [version=the served (highest)] [dataset=FD001]}
 */
public final class EndToEndRulEvaluation {

  private EndToEndRulEvaluation() {}

  /** Last-cycle predictions of the engines {@code units} as stored, scored; NaN where none is stored. */
  public static OfflineRulEvaluation.Result evaluate(
      String nodeUrl, Path cmapss, String dataset, String model, List<Integer> units, double cap)
      throws IOException, InterruptedException {
    Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
    List<Integer> rul = CmapssFile.readRul(cmapss.resolve("RUL_" + dataset + ".txt"));
    List<Integer> all = List.copyOf(engines.keySet());
    double[] predicted = new double[units.size()];
    double[] truth = new double[units.size()];
    for (int i = 0; i < units.size(); i++) {
      int unit = units.get(i);
      long lastCycle = engines.get(unit).size();
      predicted[i] = io.fleetpulse.evaluation.StoredPredictions.bySequence(nodeUrl, CmapssFile.deviceId(dataset, unit), model, 0).getOrDefault(lastCycle, Double.NaN);
      truth[i] = Math.min(rul.get(all.indexOf(unit)), cap);
    }
    return new OfflineRulEvaluation.Result(units, predicted, truth, cap, RulMetrics.rmse(predicted, truth),
        RulMetrics.nasaScore(predicted, truth));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: EndToEndRulEvaluation <node url> <cmapss dir> <registry dir> [model=rul-fd001] [version=the served (highest)] [dataset=FD001]");
      System.exit(2);
    }
    String model = args.length > 3 ? args[3] : "rul-fd001";
    String version = args.length > 4 ? args[4] : OfflineRulEvaluation.servedVersion(Path.of(args[2]), model);
    String dataset = args.length > 5 ? args[5] : "FD001";
    OfflineRulEvaluation.Result offline = OfflineRulEvaluation.evaluate(Path.of(args[1]), Path.of(args[2]), model, version, dataset);
    OfflineRulEvaluation.Result stored =
        evaluate(args[0], Path.of(args[1]), dataset, model, offline.units(), offline.truthCap());
    List<String> missing = new java.util.ArrayList<>();
    for (int i = 0; i < stored.units().size(); i++) {
      if (Double.isNaN(stored.predicted()[i])) {
        missing.add(CmapssFile.deviceId(dataset, stored.units().get(i)));
      }
    }
    if (!missing.isEmpty()) {
      // A replay's last cycles are still being predicted and stored for a few seconds after it ends.
      System.err.printf(Locale.ROOT, "%d of %d engines have no stored %s prediction for their last cycle (%s%s):"
              + " the node may still be predicting (run this again), or the replay did not reach it%n",
          missing.size(), stored.units().size(), model, String.join(", ", missing.subList(0, Math.min(5, missing.size()))),
          missing.size() > 5 ? ", ..." : "");
      System.exit(1);
    }
    System.out.printf(Locale.ROOT, "%s v%s on test_%s, last cycle of %d engines:%n", model, version, dataset, offline.units().size());
    System.out.printf(Locale.ROOT, "  offline (ONNX Runtime on the files): RMSE %.4f, NASA score %.2f%n", offline.rmse(), offline.nasaScore());
    System.out.printf(Locale.ROOT, "  end to end (MQTT -> node -> Cassandra -> /api/data): RMSE %.4f, NASA score %.2f%n",
        stored.rmse(), stored.nasaScore());
    System.out.printf(Locale.ROOT, "  difference: RMSE %.6f%n", Math.abs(stored.rmse() - offline.rmse()));
  }
}
