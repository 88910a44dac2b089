package io.fleetpulse.evaluation.cmapss;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelLoadException;
import io.fleetpulse.serving.registry.ModelMetadata;
import io.fleetpulse.serving.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates a remaining-useful-life model from the registry on a C-MAPSS test set, in Java, with
 * the same ONNX Runtime the node serves it with: the last window of each test engine (filled at
 * the front with its first cycle when it ran fewer cycles than the window), one batch,
 * RMSE and NASA score against RUL_FDxxx.txt capped like the training targets. This is the
 * offline number the end-to-end replay is compared with.
 *
 * <p>Usage: {@code OfflineRulEvaluation <cmapss dir> <registry dir> <model> <version> [dataset=FD001] [split=the window]}:
 * also the last cycles' RMSE of the engines shorter than {@code split} cycles and of the others,
 * and the RMSE over every window ({@link #everyWindow}).
 */
public final class OfflineRulEvaluation {

  /**
   * The evaluation: per-engine predictions and truths (unit order), the cap applied to the truths
   * (the model's {@code rul-cap}), and the two scores.
   */
  public record Result(
      List<Integer> units, double[] predicted, double[] truth, double truthCap, double rmse, double nasaScore) {}

  /**
   * Every window of the test engines from the model's min-window on, against its truth (the last
   * cycle's RUL plus the cycles after the window's end, capped): RMSE over all of them, over
   * those filled with the engine's first cycle (ending before cycle {@code window}) and over whole
   * ones. A steadier number than the last cycles alone (thousands of windows, not 100), and the one
   * that shows what filling costs.
   */
  public record EveryWindow(int windows, double rmse, int filled, double filledRmse, int whole, double wholeRmse) {}

  private OfflineRulEvaluation() {}

  private static final int BATCH = 256;

  /** Adds a batch's squared errors to all windows [0], filled ones [1] and whole ones [2]. */
  private static void score(float[][] rows, double[] truths, boolean[] filled, int n, double[] squared, int[] counts) {
    for (int k = 0; k < n; k++) {
      double d = rows[k][0] - truths[k];
      int kind = filled[k] ? 1 : 2;
      squared[0] += d * d;
      squared[kind] += d * d;
      counts[0]++;
      counts[kind]++;
    }
  }

  /** The version a node serves from this registry unless told otherwise: the highest on disk. */
  public static String servedVersion(Path registry, String model) {
    try (ModelRegistry models = new ModelRegistry(registry, ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
      List<String> versions = models.versionsOf(model);
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("no version of model " + model + " in " + registry.toAbsolutePath());
      }
      return versions.get(versions.size() - 1);
    }
  }

  /**
   * A model version and a test set it can be scored on: the model takes the turbofan metrics in
   * order, there is one true RUL per engine and every engine has run at least the min-window.
   */
  private record TestSet(LoadedModel model, ModelMetadata.Input input, double cap,
                         Map<Integer, List<float[]>> engines, List<Integer> rul) {
    int window() {
      return input.window();
    }
  }

  /** What is scored on a test set; the model is open only while it runs. */
  private interface Scoring<T> {
    T score(TestSet test) throws ai.onnxruntime.OrtException;
  }

  private static <T> T scored(Path cmapss, Path registry, String model, String version, String dataset, Scoring<T> scoring)
      throws ModelLoadException, ai.onnxruntime.OrtException {
    ServingSettings.Execution cpu = ServingSettings.fromConfig(ConfigFactory.load()).execution();
    try (ModelRegistry models = new ModelRegistry(registry, cpu)) {
      LoadedModel loaded = models.loadVersion(model, version);
      ModelMetadata.Input input = loaded.metadata().input();
      if (!input.features().equals(CmapssFile.METRICS)) {
        throw new IllegalArgumentException("model " + model + " v" + version + " does not take the turbofan metrics in order: "
            + input.features());
      }
      Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
      List<Integer> rul = CmapssFile.readRul(cmapss.resolve("RUL_" + dataset + ".txt"));
      if (rul.size() != engines.size()) {
        throw new IllegalArgumentException(rul.size() + " true RULs for " + engines.size() + " test engines");
      }
      for (Map.Entry<Integer, List<float[]>> engine : engines.entrySet()) {
        if (engine.getValue().size() < input.minWindow()) {
          throw new IllegalArgumentException("engine " + engine.getKey() + " has " + engine.getValue().size()
              + " cycles, fewer than the model's min-window " + input.minWindow());
        }
      }
      double cap = loaded.metadata().thresholds().getOrDefault("rul-cap", Double.POSITIVE_INFINITY);
      return scoring.score(new TestSet(loaded, input, cap, engines, rul));
    }
  }

  public static EveryWindow everyWindow(Path cmapss, Path registry, String model, String version, String dataset)
      throws ModelLoadException, ai.onnxruntime.OrtException {
    return scored(cmapss, registry, model, version, dataset, test -> {
      int window = test.window();
      int minWindow = test.input().minWindow();
      // Batches of up to 256 windows, run as they fill (all 10,000 at once would take 100 MB).
      int perSample = window * CmapssFile.VALUES_PER_CYCLE;
      float[] batch = new float[BATCH * perSample];
      double[] truths = new double[BATCH];
      boolean[] filled = new boolean[BATCH];
      double[] squared = new double[3];
      int[] counts = new int[3];
      int n = 0;
      int i = 0;
      for (List<float[]> cycles : test.engines().values()) {
        for (int end = minWindow; end <= cycles.size(); end++) {
          System.arraycopy(CmapssFile.window(cycles, end, test.input()), 0, batch, n * perSample, perSample);
          truths[n] = Math.min(test.rul().get(i) + cycles.size() - end, test.cap());
          filled[n] = end < window;
          if (++n == BATCH) {
            score(test.model().run(batch, n), truths, filled, n, squared, counts);
            n = 0;
          }
        }
        i++;
      }
      if (n > 0) {
        score(test.model().run(java.util.Arrays.copyOf(batch, n * perSample), n), truths, filled, n, squared, counts);
      }
      return new EveryWindow(counts[0], Math.sqrt(squared[0] / counts[0]), counts[1],
          counts[1] == 0 ? Double.NaN : Math.sqrt(squared[1] / counts[1]), counts[2],
          counts[2] == 0 ? Double.NaN : Math.sqrt(squared[2] / counts[2]));
    });
  }

  public static Result evaluate(Path cmapss, Path registry, String model, String version, String dataset)
      throws ModelLoadException, ai.onnxruntime.OrtException {
    return scored(cmapss, registry, model, version, dataset, test -> {
      List<Integer> units = new ArrayList<>(test.engines().keySet());
      float[] batch = new float[units.size() * test.window() * CmapssFile.VALUES_PER_CYCLE];
      for (int i = 0; i < units.size(); i++) {
        List<float[]> cycles = test.engines().get(units.get(i));
        float[] last = CmapssFile.window(cycles, cycles.size(), test.input());
        System.arraycopy(last, 0, batch, i * last.length, last.length);
      }
      float[][] rows = test.model().run(batch, units.size());
      double[] predicted = new double[units.size()];
      double[] truth = new double[units.size()];
      for (int i = 0; i < units.size(); i++) {
        predicted[i] = rows[i][0];
        truth[i] = Math.min(test.rul().get(i), test.cap());
      }
      return new Result(units, predicted, truth, test.cap(), RulMetrics.rmse(predicted, truth), RulMetrics.nasaScore(predicted, truth));
    });
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: OfflineRulEvaluation <cmapss dir> <registry dir> <model> <version> [dataset=FD001] [split=the window]");
      System.exit(2);
    }
    String dataset = args.length > 4 ? args[4] : "FD001";
    Result result = evaluate(Path.of(args[0]), Path.of(args[1]), args[2], args[3], dataset);
    System.out.printf(Locale.ROOT, "%s v%s on test_%s (%d engines, last cycle, RUL capped): RMSE %.4f, NASA score %.2f%n",
        args[2], args[3], dataset, result.units().size(), result.rmse(), result.nasaScore());
    // The last cycles split by whether the engine had run a whole window (filled windows or not),
    // or had run the cycles given (to compare versions of different windows on the same engines).
    int window = args.length > 5 ? Integer.parseInt(args[5])
        : ModelMetadata.read(Path.of(args[1], args[2], args[3], "model.json")).input().window();
    Map<Integer, List<float[]>> engines = CmapssFile.read(Path.of(args[0]).resolve("test_" + dataset + ".txt"));
    double[] squared = new double[2];
    int[] counts = new int[2];
    for (int i = 0; i < result.units().size(); i++) {
      int kind = engines.get(result.units().get(i)).size() < window ? 0 : 1;
      double d = result.predicted()[i] - result.truth()[i];
      squared[kind] += d * d;
      counts[kind]++;
    }
    System.out.printf(Locale.ROOT, "last cycle of engines shorter than %d cycles (%d): RMSE %s; of the others (%d): RMSE %.4f%n",
        window, counts[0], counts[0] == 0 ? "none" : String.format(Locale.ROOT, "%.4f", Math.sqrt(squared[0] / counts[0])),
        counts[1], Math.sqrt(squared[1] / counts[1]));
    EveryWindow every = everyWindow(Path.of(args[0]), Path.of(args[1]), args[2], args[3], dataset);
    System.out.printf(Locale.ROOT, "every window from the min-window on (%d): RMSE %.4f; filled with the first cycle (%d): %s;"
        + " whole (%d): %.4f%n", every.windows(), every.rmse(), every.filled(),
        every.filled() == 0 ? "none" : String.format(Locale.ROOT, "%.4f", every.filledRmse()), every.whole(), every.wholeRmse());
  }
}
