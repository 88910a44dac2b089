package io.fleetpulse.analytics.cmapss;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelLoadException;
import io.fleetpulse.serving.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates a remaining-useful-life model from the registry on a C-MAPSS test set, in Java, with
 * the same ONNX Runtime the node serves it with: the last window of each test engine, one batch,
 * RMSE and NASA score against RUL_FDxxx.txt capped like the training targets. This is the
 * offline number the end-to-end replay is compared with.
 *
 * <p>Usage: {@code OfflineRulEvaluation <cmapss dir> <registry dir> <model> <version> [dataset=FD001]}
 */
public final class OfflineRulEvaluation {

  /**
   * The evaluation: per-engine predictions and truths (unit order), the cap applied to the truths
   * (the model's {@code rul-cap}), and the two scores.
   */
  public record Result(
      List<Integer> units, double[] predicted, double[] truth, double truthCap, double rmse, double nasaScore) {}

  private OfflineRulEvaluation() {}

  public static Result evaluate(Path cmapss, Path registry, String model, String version, String dataset)
      throws ModelLoadException, ai.onnxruntime.OrtException {
    ServingSettings.Execution cpu = ServingSettings.fromConfig(ConfigFactory.load()).execution();
    try (ModelRegistry models = new ModelRegistry(registry, cpu)) {
      LoadedModel loaded = models.loadVersion(model, version);
      int window = loaded.metadata().input().window();
      if (!loaded.metadata().input().features().equals(CmapssFile.METRICS)) {
        throw new IllegalArgumentException("model " + model + " v" + version + " does not take the turbofan metrics in order: "
            + loaded.metadata().input().features());
      }
      double cap = loaded.metadata().thresholds().getOrDefault("rul-cap", Double.POSITIVE_INFINITY);
      Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
      List<Integer> rul = CmapssFile.readRul(cmapss.resolve("RUL_" + dataset + ".txt"));
      if (rul.size() != engines.size()) {
        throw new IllegalArgumentException(rul.size() + " true RULs for " + engines.size() + " test engines");
      }
      List<Integer> units = new ArrayList<>(engines.keySet());
      float[] batch = new float[units.size() * window * CmapssFile.VALUES_PER_CYCLE];
      int k = 0;
      for (int unit : units) {
        List<float[]> cycles = engines.get(unit);
        if (cycles.size() < window) {
          throw new IllegalArgumentException("engine " + unit + " has " + cycles.size() + " cycles, fewer than the window " + window);
        }
        for (float[] cycle : cycles.subList(cycles.size() - window, cycles.size())) {
          System.arraycopy(cycle, 0, batch, k, cycle.length);
          k += cycle.length;
        }
      }
      float[][] rows = loaded.run(batch, units.size());
      double[] predicted = new double[units.size()];
      double[] truth = new double[units.size()];
      for (int i = 0; i < units.size(); i++) {
        predicted[i] = rows[i][0];
        truth[i] = Math.min(rul.get(i), cap);
      }
      return new Result(units, predicted, truth, cap, RulMetrics.rmse(predicted, truth), RulMetrics.nasaScore(predicted, truth));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: OfflineRulEvaluation <cmapss dir> <registry dir> <model> <version> [dataset=FD001]");
      System.exit(2);
    }
    String dataset = args.length > 4 ? args[4] : "FD001";
    Result result = evaluate(Path.of(args[0]), Path.of(args[1]), args[2], args[3], dataset);
    System.out.printf(Locale.ROOT, "%s v%s on test_%s (%d engines, last cycle, RUL capped): RMSE %.4f, NASA score %.2f%n",
        args[2], args[3], dataset, result.units().size(), result.rmse(), result.nasaScore());
  }
}
