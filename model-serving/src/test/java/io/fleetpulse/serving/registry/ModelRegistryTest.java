package io.fleetpulse.serving.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.ServingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on a directory each test fills itself, with the small PyTorch models from
 * {@code src/test/resources/models} (see {@code src/test/python/make_test_models.py}).
 */
class ModelRegistryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path MODELS = resource("/models");
  /** The defaults of reference.conf: cpu, one intra-op thread. */
  private static final ServingSettings.Execution EXECUTION =
      ServingSettings.fromConfig(ConfigFactory.defaultReference()).execution();
  private static final int VALUES_PER_SAMPLE = 12;

  @TempDir Path directory;
  private ModelRegistry registry;

  private static Path resource(String name) {
    try {
      return Path.of(ModelRegistryTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void closeRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private ModelRegistry registry() {
    registry = new ModelRegistry(directory, EXECUTION);
    return registry;
  }

  /** Copies a whole version directory of the test models into the registry directory. */
  private void copy(String name, String version) {
    copy(name, version, name, version);
  }

  /** Copies a test model version under another name or version, leaving its model.json as it is. */
  private void copy(String name, String version, String asName, String asVersion) {
    Path target = directory.resolve(asName).resolve(asVersion);
    try (Stream<Path> files = Files.list(MODELS.resolve(name).resolve(version))) {
      Files.createDirectories(target);
      for (Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a test model version under another name and version, with a model.json that agrees. */
  private void copyRenamed(String name, String version, String asName, String asVersion) {
    copy(name, version, asName, asVersion);
    Path metadata = directory.resolve(asName).resolve(asVersion).resolve("model.json");
    try {
      ObjectNode json = (ObjectNode) JSON.readTree(metadata.toFile());
      json.put("name", asName);
      json.put("version", asVersion);
      JSON.writeValue(metadata.toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private LoadedModel active(String name) {
    return registry.active(name).orElseThrow(() -> new AssertionError("no active version of " + name));
  }

  private String activeVersion(String name) {
    return active(name).metadata().version();
  }

  private ModelStatus status(String name) {
    return registry.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private static float[] sample(float seed) {
    float[] values = new float[VALUES_PER_SAMPLE];
    for (int i = 0; i < values.length; i++) {
      values[i] = seed + i * 0.25f - 1.5f;
    }
    return values;
  }

  // ---- loading at start -------------------------------------------------------------------

  @Test
  void activates_the_highest_version_of_every_model_in_numeric_order() {
    copy("scorer", "1");
    copy("scorer", "2");
    copyRenamed("scorer", "2", "scorer", "10");
    copy("other", "1");

    List<String> problems = registry().loadAll();

    assertThat(problems).isEmpty();
    assertThat(registry.versionsOf("scorer")).containsExactly("1", "2", "10");
    assertThat(activeVersion("scorer")).isEqualTo("10");
    assertThat(activeVersion("other")).isEqualTo("1");
    assertThat(registry.status()).extracting(ModelStatus::name).containsExactly("other", "scorer");
  }

  @Test
  void reports_broken_and_mismatched_models_and_still_loads_the_others() {
    copy("scorer", "1");
    copy("other", "1");
    copy("broken", "1");
    copy("mismatched", "1");

    List<String> problems = registry().loadAll();

    assertThat(problems).hasSize(2);
    assertThat(problems).anySatisfy(problem -> assertThat(problem)
        .contains("model broken version 1").contains("ONNX Runtime cannot load model.onnx"));
    assertThat(problems).anySatisfy(problem -> assertThat(problem)
        .contains("model mismatched version 1")
        .contains("graph disagrees with model.json")
        .contains("[batch, 5, 3]"));
    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(activeVersion("other")).isEqualTo("1");
    assertThat(registry.active("broken")).isEmpty();
    assertThat(registry.active("mismatched")).isEmpty();
    assertThat(registry.status()).extracting(ModelStatus::name).containsExactly("other", "scorer");
  }

  @Test
  void falls_back_to_the_next_lower_version_when_the_highest_cannot_load() {
    copy("scorer", "1");
    copyRenamed("broken", "1", "scorer", "2");

    List<String> problems = registry().loadAll();

    assertThat(problems).singleElement().asString().contains("model scorer version 2");
    assertThat(activeVersion("scorer")).isEqualTo("1");
  }

  @Test
  void serves_nothing_when_the_registry_directory_does_not_exist() {
    registry = new ModelRegistry(directory.resolve("missing"), EXECUTION);

    assertThat(registry.loadAll()).isEmpty();
    assertThat(registry.status()).isEmpty();
    assertThat(registry.versionsOf("scorer")).isEmpty();
  }

  @Test
  void orders_numeric_versions_as_numbers_and_others_as_text() {
    assertThat(ModelRegistry.compareVersions("2", "10")).isNegative();
    assertThat(ModelRegistry.compareVersions("10", "9")).isPositive();
    assertThat(ModelRegistry.compareVersions("7", "7")).isZero();
    assertThat(ModelRegistry.compareVersions("1.10", "1.9")).isNegative();
  }

  // ---- agreement with PyTorch -------------------------------------------------------------

  private static JsonNode expected() throws IOException {
    return JSON.readTree(resource("/models/scorer-1-expected.json").toFile());
  }

  private static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) array.get(i).asDouble();
    }
    return values;
  }

  private LoadedModel scorerVersion1() {
    copy("scorer", "1");
    assertThat(registry().loadAll()).isEmpty();
    return active("scorer");
  }

  @Test
  void matches_pytorch_outputs_one_sample_at_a_time() throws Exception {
    LoadedModel scorer = scorerVersion1();
    JsonNode expected = expected();
    assertThat(expected.get("inputs")).hasSize(5);

    for (int i = 0; i < 5; i++) {
      float[][] rows = scorer.run(floats(expected.get("inputs").get(i)), 1);

      assertThat(rows).hasDimensions(1, 3);
      float[] want = floats(expected.get("outputs").get(i));
      for (int k = 0; k < 3; k++) {
        assertThat(rows[0][k]).as("sample %d value %d", i, k).isCloseTo(want[k], within(1e-5f));
      }
    }
  }

  @Test
  void matches_pytorch_outputs_as_one_batch_of_five() throws Exception {
    LoadedModel scorer = scorerVersion1();
    JsonNode expected = expected();
    float[] batch = new float[5 * VALUES_PER_SAMPLE];
    for (int i = 0; i < 5; i++) {
      System.arraycopy(floats(expected.get("inputs").get(i)), 0, batch, i * VALUES_PER_SAMPLE, VALUES_PER_SAMPLE);
    }

    float[][] rows = scorer.run(batch, 5);

    assertThat(rows).hasDimensions(5, 3);
    for (int i = 0; i < 5; i++) {
      float[] want = floats(expected.get("outputs").get(i));
      for (int k = 0; k < 3; k++) {
        assertThat(rows[i][k]).as("sample %d value %d", i, k).isCloseTo(want[k], within(1e-5f));
      }
    }
  }

  @Test
  void batched_rows_equal_single_runs_exactly() throws Exception {
    LoadedModel scorer = scorerVersion1();
    int size = 7;
    float[] batch = new float[size * VALUES_PER_SAMPLE];
    for (int i = 0; i < size; i++) {
      System.arraycopy(sample(i), 0, batch, i * VALUES_PER_SAMPLE, VALUES_PER_SAMPLE);
    }

    float[][] batched = scorer.run(batch, size);

    for (int i = 0; i < size; i++) {
      assertThat(batched[i]).as("row %d", i).containsExactly(scorer.run(sample(i), 1)[0]);
    }
    assertThat(batched[0]).isNotEqualTo(batched[1]);
  }

  @Test
  void rejects_input_of_the_wrong_length() {
    LoadedModel scorer = scorerVersion1();

    assertThatThrownBy(() -> scorer.run(new float[VALUES_PER_SAMPLE - 1], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 12 values, got 11");
    assertThatThrownBy(() -> scorer.run(new float[VALUES_PER_SAMPLE], 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 24 values, got 12");
    assertThatThrownBy(() -> scorer.run(new float[VALUES_PER_SAMPLE + 1], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 12 values, got 13");
  }

  // ---- versions at run time ---------------------------------------------------------------

  /** Loads scorer 1 at start, then puts scorer 2 on disk and loads it beside 1. */
  private void scorer1ActiveAnd2Loaded() throws ModelLoadException {
    copy("scorer", "1");
    assertThat(registry().loadAll()).isEmpty();
    copy("scorer", "2");
    registry.install(registry.loadVersion("scorer", "2"));
  }

  @Test
  void a_hot_loaded_version_does_not_serve_until_promoted() throws Exception {
    copy("scorer", "1");
    registry().loadAll();
    float[] before = active("scorer").run(sample(1), 1)[0];
    copy("scorer", "2");

    LoadedModel version2 = registry.loadVersion("scorer", "2");
    assertThat(registry.status()).extracting(ModelStatus::loadedVersions).containsExactly(List.of("1"));
    registry.install(version2);

    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(active("scorer").run(sample(1), 1)[0]).containsExactly(before);
    assertThat(status("scorer").loadedVersions()).containsExactly("1", "2");
  }

  @Test
  void promote_switches_the_serving_version_and_back() throws Exception {
    scorer1ActiveAnd2Loaded();
    float[] fromVersion1 = active("scorer").run(sample(1), 1)[0];

    registry.promote("scorer", "2");

    assertThat(activeVersion("scorer")).isEqualTo("2");
    float[] fromVersion2 = active("scorer").run(sample(1), 1)[0];
    assertThat(fromVersion2).as("version 2 has other weights").isNotEqualTo(fromVersion1);

    registry.promote("scorer", "1");

    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(active("scorer").run(sample(1), 1)[0]).containsExactly(fromVersion1);
  }

  @Test
  void check_says_whether_a_loaded_version_may_be_used_and_changes_nothing() throws Exception {
    scorer1ActiveAnd2Loaded();

    registry.check("scorer", "2", ModelUse.SERVE);
    registry.check("scorer", "2", ModelUse.SHADOW);
    assertThatThrownBy(() -> registry.check("scorer", "3", ModelUse.LOAD))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 3 of scorer is not loaded");
    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(registry.shadow("scorer")).isEmpty();
  }

  @Test
  void refuses_to_promote_or_shadow_what_is_not_loaded() throws Exception {
    scorer1ActiveAnd2Loaded();

    assertThatThrownBy(() -> registry.promote("scorer", "3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 3 of scorer is not loaded");
    assertThatThrownBy(() -> registry.shadow("unknown", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no model unknown is loaded");
    assertThatThrownBy(() -> registry.check("unknown", "1", ModelUse.LOAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no model unknown is loaded");
  }

  @Test
  void refuses_to_shadow_the_active_version() throws Exception {
    scorer1ActiveAnd2Loaded();

    assertThatThrownBy(() -> registry.shadow("scorer", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 1 of scorer is active");
    assertThat(registry.shadow("scorer")).isEmpty();
  }

  @Test
  void promoting_the_shadow_version_ends_the_shadow() throws Exception {
    scorer1ActiveAnd2Loaded();

    registry.shadow("scorer", "2");
    assertThat(registry.shadow("scorer")).map(m -> m.metadata().version()).contains("2");
    assertThat(status("scorer").shadowVersion()).isEqualTo("2");

    registry.promote("scorer", "2");

    assertThat(activeVersion("scorer")).isEqualTo("2");
    assertThat(registry.shadow("scorer")).isEmpty();
    assertThat(status("scorer").shadowVersion()).isNull();
  }

  @Test
  void clearing_the_shadow_leaves_the_active_version() throws Exception {
    scorer1ActiveAnd2Loaded();
    registry.shadow("scorer", "2");

    registry.clearShadow("scorer");

    assertThat(registry.shadow("scorer")).isEmpty();
    assertThat(activeVersion("scorer")).isEqualTo("1");
  }

  // ---- admission ---------------------------------------------------------------------------

  /** A registry whose callers refuse the versions in {@code refused} ("scorer 2"), with a sentence each. */
  private ModelRegistry registryRefusing(Set<String> refused) {
    registry = new ModelRegistry(directory, EXECUTION, metadata ->
        refused.contains(metadata.name() + " " + metadata.version()) ? List.of("no profile feeds it", "not today")
            : List.of());
    return registry;
  }

  @Test
  void at_start_serves_the_highest_admitted_version_and_reports_the_refused_one() {
    copy("scorer", "1");
    copy("scorer", "2");
    copy("other", "1");

    List<String> problems = registryRefusing(Set.of("scorer 2", "other 1")).loadAll();

    assertThat(problems).containsExactlyInAnyOrder(
        "version 2 of scorer cannot be served: no profile feeds it; not today",
        "version 1 of other cannot be served: no profile feeds it; not today");
    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(registry.active("other")).as("no version of it is admitted").isEmpty();
    assertThat(status("scorer").loadedVersions()).as("a refused version stays loaded").containsExactly("1", "2");
    assertThat(status("scorer").refusedVersions()).as("and the status says why it is not served")
        .containsExactly(java.util.Map.entry("2", List.of("no profile feeds it", "not today")));
    assertThat(status("other").refusedVersions()).containsOnlyKeys("1");
  }

  @Test
  void refuses_to_promote_or_shadow_a_version_it_does_not_admit() throws Exception {
    Set<String> refused = new HashSet<>();
    copy("scorer", "1");
    assertThat(registryRefusing(refused).loadAll()).isEmpty();
    copy("scorer", "2");
    registry.install(registry.loadVersion("scorer", "2"));
    refused.add("scorer 2");

    assertThatThrownBy(() -> registry.promote("scorer", "2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version 2 of scorer cannot be served: no profile feeds it; not today");
    assertThatThrownBy(() -> registry.shadow("scorer", "2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version 2 of scorer cannot be run in shadow: no profile feeds it; not today");
    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(registry.shadow("scorer")).isEmpty();
    assertThatThrownBy(() -> registry.check("scorer", "2", ModelUse.SERVE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version 2 of scorer cannot be served: no profile feeds it; not today");
    registry.check("scorer", "2", ModelUse.LOAD);

    refused.clear();
    registry.promote("scorer", "2");
    assertThat(activeVersion("scorer")).isEqualTo("2");
  }

  @Test
  void status_lists_loaded_versions_in_version_order() throws Exception {
    scorer1ActiveAnd2Loaded();
    copyRenamed("scorer", "2", "scorer", "10");
    registry.install(registry.loadVersion("scorer", "10"));
    copy("other", "1");
    registry.install(registry.loadVersion("other", "1"));
    registry.promote("scorer", "2");
    registry.promote("scorer", "10");
    registry.shadow("scorer", "1");

    assertThat(registry.status()).containsExactly(
        new ModelStatus("other", null, null, List.of("1"), java.util.Map.of(), 0, null),
        new ModelStatus("scorer", "10", "1", List.of("1", "2", "10"), java.util.Map.of(), 0, null));
  }

  @Test
  void refuses_a_broken_file_and_keeps_serving_the_active_version() throws Exception {
    scorer1ActiveAnd2Loaded();
    float[] before = active("scorer").run(sample(1), 1)[0];
    copyRenamed("broken", "1", "scorer", "3");

    assertThatThrownBy(() -> registry.loadVersion("scorer", "3"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("model scorer version 3: ONNX Runtime cannot load model.onnx");

    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(active("scorer").run(sample(1), 1)[0]).containsExactly(before);
    assertThat(status("scorer").loadedVersions()).containsExactly("1", "2");
  }

  @Test
  void refuses_a_model_whose_graph_disagrees_with_its_metadata() throws Exception {
    scorer1ActiveAnd2Loaded();
    copyRenamed("mismatched", "1", "scorer", "3");

    assertThatThrownBy(() -> registry.loadVersion("scorer", "3"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("model scorer version 3: graph disagrees with model.json")
        .hasMessageContaining("does not fit [batch, 5, 3]");
    assertThat(activeVersion("scorer")).isEqualTo("1");
  }

  @Test
  void refuses_a_model_json_that_names_another_version() throws Exception {
    scorer1ActiveAnd2Loaded();
    copy("scorer", "2", "scorer", "3");

    assertThatThrownBy(() -> registry.loadVersion("scorer", "3"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("model scorer version 3: model.json names scorer version 2");
  }

  @Test
  void refuses_a_model_json_that_names_another_model() {
    copy("scorer", "1", "renamed", "1");

    assertThatThrownBy(() -> registry().loadVersion("renamed", "1"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("model renamed version 1: model.json names scorer version 1");
    assertThat(registry.loadAll()).singleElement().asString().contains("model.json names scorer version 1");
    assertThat(registry.active("renamed")).isEmpty();
  }

  @Test
  void refuses_a_version_without_a_readable_model_json() throws Exception {
    copy("scorer", "1");
    Files.writeString(directory.resolve("scorer/1/model.json"), "{\"name\": \"scorer\", \"version\": ");

    assertThatThrownBy(() -> registry().loadVersion("scorer", "1"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("model scorer version 1: unreadable model.json");
  }

  @Test
  void load_failures_name_no_path_of_the_registry() throws Exception {
    copy("scorer", "1");
    Files.writeString(directory.resolve("scorer/1/model.json"), "{\"name\": \"scorer\", \"version\": ");
    copyRenamed("broken", "1", "scorer", "3");
    String root = directory.toAbsolutePath().toString();
    registry();

    for (String version : new String[] {"1", "3", "9"}) {
      assertThatThrownBy(() -> registry.loadVersion("scorer", version))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageStartingWith("model scorer version " + version + ": ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(root)
              .doesNotContain(directory.getFileName().toString()));
    }
  }

  @Test
  void refuses_names_that_leave_the_registry_directory() throws Exception {
    Path outside = directory.resolve("outside");
    Files.createDirectories(outside.resolve("1"));
    registry = new ModelRegistry(directory.resolve("models"), EXECUTION);
    Files.createDirectories(directory.resolve("models"));

    for (String[] nameAndVersion : new String[][] {{"..", "outside"}, {"../outside", "1"}, {"scorer", "../../outside/1"},
        {"scorer", ".."}, {"a\\b", "1"}, {"a\u0000b", "1"}, {"/etc", "1"}}) {
      assertThatThrownBy(() -> registry.loadVersion(nameAndVersion[0], nameAndVersion[1]))
          .isInstanceOf(ModelLoadException.class).hasMessageContaining("not a name of the model registry");
    }
    assertThat(registry.versionsOf("..")).isEmpty();
    assertThat(registry.versionsOf("../outside")).isEmpty();
    assertThat(ModelRegistry.isValidName("scorer-v1.2_b")).isTrue();
  }

  // ---- graphs PyTorch's exporter does not make --------------------------------------------

  /** Writes a hand-built model with a model.json declaring one output {@code score} of {@code size}. */
  private void writeTinyModel(String name, TinyOnnxModel model, int size) throws IOException {
    Path version = Files.createDirectories(directory.resolve(name).resolve("1"));
    Files.write(version.resolve("model.onnx"), model.toBytes());
    Files.writeString(version.resolve("model.json"), """
        {"name": "%s", "version": "1",
         "input": {"name": "window", "window": 4, "features": ["a", "b", "c"]},
         "outputs": [{"name": "score", "size": %d, "meaning": "hand-built"}]}
        """.formatted(name, size));
  }

  @Test
  void a_hand_built_graph_that_agrees_with_its_metadata_loads_and_runs() throws Exception {
    writeTinyModel("sums", new TinyOnnxModel()
        .node("ReduceSum", "window", "score", TinyOnnxModel.intsAttribute("axes", 2), TinyOnnxModel.intAttribute("keepdims", 0))
        .tensorOutput("score", TinyOnnxModel.FLOAT, "batch", 4L), 4);

    LoadedModel sums = registry().loadVersion("sums", "1");
    try {
      float[][] rows = sums.run(sample(0), 1);
      float[] window = sample(0);
      assertThat(rows[0]).containsExactly(new float[] {
          window[0] + window[1] + window[2], window[3] + window[4] + window[5],
          window[6] + window[7] + window[8], window[9] + window[10] + window[11]}, within(1e-5f));
    } finally {
      sums.retire();
    }
  }

  @Test
  void refuses_a_model_whose_output_is_a_scalar() throws Exception {
    writeTinyModel("scalar", new TinyOnnxModel()
        .node("ReduceSum", "window", "score", TinyOnnxModel.intAttribute("keepdims", 0))
        .tensorOutput("score", TinyOnnxModel.FLOAT), 1);

    assertThatThrownBy(() -> registry().loadVersion("scalar", "1"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("model scalar version 1: graph disagrees with model.json")
        .hasMessageContaining("output 'score' has shape []");
  }

  @Test
  void refuses_a_model_whose_output_is_not_float() throws Exception {
    writeTinyModel("counts", new TinyOnnxModel()
        .node("ReduceSum", "window", "sum", TinyOnnxModel.intsAttribute("axes", 1, 2), TinyOnnxModel.intAttribute("keepdims", 0))
        .node("Cast", "sum", "score", TinyOnnxModel.intAttribute("to", TinyOnnxModel.INT64))
        .tensorOutput("score", TinyOnnxModel.INT64, "batch"), 1);

    assertThatThrownBy(() -> registry().loadVersion("counts", "1"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("output 'score' is not a float tensor");
  }

  @Test
  void a_model_with_a_sequence_output_is_reported_and_the_others_still_load() throws Exception {
    copy("scorer", "1");
    writeTinyModel("sequence", new TinyOnnxModel()
        .node("SequenceConstruct", "window", "score")
        .sequenceOutput("score"), 1);

    List<String> problems = registry().loadAll();

    assertThat(problems).singleElement().asString()
        .startsWith("model sequence version 1: graph disagrees with model.json")
        .contains("output 'score' is not a float tensor");
    assertThat(activeVersion("scorer")).isEqualTo("1");
    assertThat(registry.active("sequence")).isEmpty();
  }

  // ---- native resources -------------------------------------------------------------------

  private static final int PROBE_WARM_UP_BATCHES = 2_000;
  private static final int PROBE_WINDOWS = 3;
  private static final int PROBE_BATCHES_PER_WINDOW = 10_000;
  /**
   * Clean windows grow by about 0.1 MiB (now and then one grows by up to 1.5 MiB on a loaded
   * machine, so the test looks at the window that grew least); leaving each run's result open grows
   * every window by about 14 MiB, leaving each input tensor open by about 2.5 MiB.
   */
  private static final long PROBE_MAX_GROWTH_KILOBYTES = 1024;

  /**
   * Runs 2,000 batches of 64 to warm up, then three windows of 10,000, in a child JVM set up so
   * that its resident memory moves only when native memory leaks. In this JVM it moves by ±100 MiB
   * without any leak: G1 grows and shrinks the heap, ONNX Runtime copies each input into a direct
   * buffer that lives until a collection (so their high-water mark follows the young generation's
   * size), and C2 compiles in bursts. The child has a fixed, pre-touched heap, at most 4 MiB of
   * direct buffers and only the C1 compiler.
   */
  @Test
  void runs_many_batches_without_growing_native_memory() throws Exception {
    copy("scorer", "1");
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    Process probe = new ProcessBuilder(javaCommand,
        "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=4m",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), NativeMemoryProbe.class.getName(),
        directory.toString(), Integer.toString(PROBE_WARM_UP_BATCHES), Integer.toString(PROBE_WINDOWS),
        Integer.toString(PROBE_BATCHES_PER_WINDOW))
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("probe.log").toFile())
        .start();
    boolean exited = probe.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      probe.destroyForcibly();
    }
    String output = Files.readString(directory.resolve("probe.log"));
    assertThat(exited).as("the probe finished within a minute: %s", output).isTrue();
    assertThat(probe.exitValue()).as(output).isZero();
    Matcher measured = Pattern.compile("growth-kib=([-\\d,]+)").matcher(output);
    assertThat(measured.find()).as(output).isTrue();

    List<Long> growth = Stream.of(measured.group(1).split(",")).map(Long::valueOf).toList();

    assertThat(growth).hasSize(PROBE_WINDOWS);
    assertThat(growth.stream().mapToLong(Long::longValue).min().orElseThrow())
        .as("least resident memory growth in KiB of windows %s, each %d batches of 64", growth, PROBE_BATCHES_PER_WINDOW)
        .isLessThan(PROBE_MAX_GROWTH_KILOBYTES);
  }

  /**
   * Resident memory of this process. From smaps_rollup, which the kernel sums exactly; VmRSS in
   * /proc/self/status is counted per thread and synced lazily, so it can be megabytes off.
   */
  private static long residentKilobytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
      if (line.startsWith("Rss:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no Rss in /proc/self/smaps_rollup");
  }

  /** The child JVM of {@link #runs_many_batches_without_growing_native_memory}. */
  static final class NativeMemoryProbe {
    public static void main(String[] args) throws Exception {
      int warmUp = Integer.parseInt(args[1]);
      int windows = Integer.parseInt(args[2]);
      int batchesPerWindow = Integer.parseInt(args[3]);
      int batchSize = 64;
      try (ModelRegistry registry = new ModelRegistry(Path.of(args[0]), EXECUTION)) {
        registry.loadAll();
        LoadedModel scorer = registry.active("scorer").orElseThrow();
        float[] values = new float[batchSize * VALUES_PER_SAMPLE];
        for (int i = 0; i < values.length; i++) {
          values[i] = (i % 17) * 0.1f;
        }
        for (int i = 0; i < warmUp; i++) {
          scorer.run(values, batchSize);
        }
        long[] growth = new long[windows];
        double checksum = 0;
        for (int window = 0; window < windows; window++) {
          System.gc();
          long before = residentKilobytes();
          for (int i = 0; i < batchesPerWindow; i++) {
            checksum += scorer.run(values, batchSize)[i % batchSize][0];
          }
          System.gc();
          growth[window] = residentKilobytes() - before;
        }
        System.out.println("growth-kib=" + Arrays.stream(growth).mapToObj(Long::toString).collect(Collectors.joining(","))
            + " checksum=" + checksum);
      }
    }
  }

  @Test
  void a_closed_registry_closes_its_models_and_they_cannot_be_acquired() throws Exception {
    scorer1ActiveAnd2Loaded();
    LoadedModel version1 = active("scorer");
    registry.shadow("scorer", "2");
    LoadedModel version2 = registry.shadow("scorer").orElseThrow();
    assertThat(version1.acquire()).isTrue();
    version1.release();
    assertThat(version1.run(sample(1), 1)).as("a finished run leaves a served version open").hasNumberOfRows(1);

    registry.close();

    assertThat(version1.acquire()).isFalse();
    assertThat(version2.acquire()).isFalse();
    assertThat(registry.status()).isEmpty();
    assertThatThrownBy(() -> version1.run(sample(1), 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_retired_version_stays_open_until_its_last_run_releases_it() throws Exception {
    LoadedModel scorer = scorerVersion1();
    float[] expected = scorer.run(sample(2), 1)[0];
    assertThat(scorer.acquire()).isTrue();
    assertThat(scorer.acquire()).isTrue();

    registry.close();

    assertThat(scorer.run(sample(2), 1)[0]).as("still open while runs hold it").containsExactly(expected);
    scorer.release();
    assertThat(scorer.run(sample(2), 1)[0]).as("one run still holds it").containsExactly(expected);
    assertThat(scorer.acquire()).as("one run still holds it, so a new run may join").isTrue();
    scorer.release();
    scorer.release();
    assertThat(scorer.acquire()).isFalse();
    assertThatThrownBy(() -> scorer.run(sample(2), 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refuses_to_install_a_version_that_is_already_loaded_and_closes_the_duplicate() throws Exception {
    scorer1ActiveAnd2Loaded();
    LoadedModel serving = active("scorer");
    float[] before = serving.run(sample(3), 1)[0];
    LoadedModel duplicate = registry.loadVersion("scorer", "1");

    assertThatThrownBy(() -> registry.install(duplicate))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already loaded");

    assertThat(duplicate.acquire()).as("the duplicate's session is closed").isFalse();
    assertThat(active("scorer")).isSameAs(serving);
    assertThat(serving.run(sample(3), 1)[0]).containsExactly(before);
    assertThat(registry.isLoaded("scorer", "1")).isTrue();
  }
}
