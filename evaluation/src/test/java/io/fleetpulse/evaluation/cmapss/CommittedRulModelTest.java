package io.fleetpulse.evaluation.cmapss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelMetadata;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.testkit.SharedDatasets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The FD001 model committed in the registry directory, evaluated in Java on the shared C-MAPSS
 * test set: it loads (its graph agrees with its metadata), its RMSE stays within the bound
 * recorded here, and Java gives the number the training script recorded (no train/serve skew).
 * The data is not in the repository: the test looks for it at {@code ../shared/datasets/cmapss}
 * from the project root (or {@code -Dfleetpulse.cmapss=DIR}) and says so when it is absent.
 */
class CommittedRulModelTest {

  /**
   * Lower only with a better model: the committed model must not get worse than this. Version 6
   * (test RMSE 11.79) lowered it from 12.6, which version 5 (12.57) had lowered from 12.7 (version
   * 4: 12.62, 3: 13.83, 2: 13.70). Each was chosen on held-out training engines before the test
   * set was evaluated (versions 5 and 6 by cross-validation folds of the training engines: version
   * 6, version 5's CNNs averaged with gradient-boosted trees, beat version 5's recipe on each of
   * three folds; docs/rul-trials.md).
   */
  private static final double RMSE_BOUND = 11.85;

  private static final Path REGISTRY = Path.of("../models");
  /** The version the registry serves (its highest): 6, refit on all training engines. */
  private static final String VERSION = "6";

  @Test
  void every_test_window_is_scored_and_only_versions_with_a_min_window_fill_any() throws Exception {
    Path cmapss = SharedDatasets.CMAPSS.required("test_FD001.txt");
    // Windows ending at cycle 30 or later of the 100 test engines (13,096 cycles, 2,900 before
    // cycle 30); versions 5 and 6 fill those ending before cycle 70 (their 50-cycle half those
    // ending before cycle 50), versions 3 and 4 those before cycle 100, version 2 none.
    OfflineRulEvaluation.EveryWindow served = OfflineRulEvaluation.everyWindow(cmapss, REGISTRY, "rul-fd001", VERSION, "FD001");
    OfflineRulEvaluation.EveryWindow thirty = OfflineRulEvaluation.everyWindow(cmapss, REGISTRY, "rul-fd001", "2", "FD001");

    assertThat(served.windows()).isEqualTo(10_196).isEqualTo(thirty.windows());
    assertThat(served.filled()).isEqualTo(3_723);
    assertThat(served.filled() + served.whole()).isEqualTo(served.windows());
    assertThat(thirty.filled()).isZero();
    assertThat(thirty.wholeRmse()).isEqualTo(thirty.rmse());
    assertThat(served.rmse()).as("every window, version 6").isCloseTo(11.206, within(1e-3));
  }

  @Test
  void the_committed_fd001_model_meets_its_bound_and_matches_its_training_metrics() throws Exception {
    Path cmapss = SharedDatasets.CMAPSS.required("test_FD001.txt");

    OfflineRulEvaluation.Result result = OfflineRulEvaluation.evaluate(cmapss, REGISTRY, "rul-fd001", VERSION, "FD001");

    assertThat(result.units()).hasSize(100);
    assertThat(result.rmse()).isLessThanOrEqualTo(RMSE_BOUND);
    JsonNode metrics = new ObjectMapper().readTree(REGISTRY.resolve("rul-fd001/" + VERSION + "/model.json").toFile())
        .path("training").path("metrics");
    assertThat(result.rmse()).as("Java ONNX Runtime vs PyTorch at training").isCloseTo(metrics.path("testRmse").asDouble(), within(1e-3));
    assertThat(result.nasaScore()).isCloseTo(metrics.path("testNasaScore").asDouble(), within(0.05));
  }

  @Test
  void every_committed_rul_version_loads_and_takes_the_turbofan_metrics() throws Exception {
    try (ModelRegistry models = new ModelRegistry(REGISTRY, ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
      assertThat(models.versionsOf("rul-fd001")).containsExactly("1", "2", "3", "4", "5", "6");
      assertThat(models.versionsOf("rul-fd003")).containsExactly("1", "2", "3");
      for (String model : List.of("rul-fd001", "rul-fd003")) {
        for (String version : models.versionsOf(model)) {
          // loading checks the graph against model.json (inputs, window, outputs)
          LoadedModel loaded = models.loadVersion(model, version);
          assertThat(loaded.metadata().input().features()).as(model + " v" + version).isEqualTo(CmapssFile.METRICS);
        }
      }
    }
  }

  /**
   * FD003 has no test set here, so the served FD003 model is checked where the truth is known: the
   * last cycle of each of the 100 training engines, RUL 0. A broken export (normalisation, input
   * order, window) misses it by tens of cycles; the refit members fit those engines to a training
   * RMSE of 5 to 8 cycles over all their windows.
   */
  @Test
  void the_served_fd003_model_finds_the_training_engines_at_their_failure() throws Exception {
    Path cmapss = SharedDatasets.CMAPSS.required("train_FD003.txt");
    try (ModelRegistry models = new ModelRegistry(REGISTRY, ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
      LoadedModel served = models.loadVersion("rul-fd003", OfflineRulEvaluation.servedVersion(REGISTRY, "rul-fd003"));
      ModelMetadata.Input input = served.metadata().input();
      Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("train_FD003.txt"));
      float[] batch = new float[engines.size() * input.window() * CmapssFile.VALUES_PER_CYCLE];
      int i = 0;
      for (List<float[]> cycles : engines.values()) {
        float[] last = CmapssFile.window(cycles, cycles.size(), input);
        System.arraycopy(last, 0, batch, i++ * last.length, last.length);
      }
      float[][] rul = served.run(batch, engines.size());
      double squared = 0;
      for (float[] row : rul) {
        squared += row[0] * row[0];
      }
      assertThat(Math.sqrt(squared / rul.length)).as("RMSE at the training engines' last cycle").isLessThan(10.0);
    }
  }
}
