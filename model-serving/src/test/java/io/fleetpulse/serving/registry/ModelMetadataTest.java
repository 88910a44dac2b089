package io.fleetpulse.serving.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelMetadataTest {

  @TempDir Path directory;

  private static final String INPUT = """
      "input": {"name": "window", "window": 4, "features": ["a", "b", "c"]}""";
  private static final String OUTPUTS = """
      "outputs": [{"name": "score", "size": 1, "meaning": "m"}, {"name": "probabilities", "size": 2, "meaning": "p"}]""";

  private ModelMetadata read(String json) throws IOException {
    Path file = directory.resolve("model.json");
    Files.writeString(file, json);
    return ModelMetadata.read(file);
  }

  @Test
  void reads_the_model_json_beside_a_model() throws Exception {
    Path file = Path.of(ModelMetadataTest.class.getResource("/models/scorer/1/model.json").toURI());

    ModelMetadata metadata = ModelMetadata.read(file);

    assertThat(metadata.name()).isEqualTo("scorer");
    assertThat(metadata.version()).isEqualTo("1");
    assertThat(metadata.input()).isEqualTo(new ModelMetadata.Input("window", 4, List.of("a", "b", "c")));
    assertThat(metadata.outputs()).containsExactly(
        new ModelMetadata.Output("score", 1, "a test score"),
        new ModelMetadata.Output("probabilities", 2, "two test probabilities"));
    assertThat(metadata.thresholds()).containsExactly(Map.entry("score-high", 0.5));
    assertThat(metadata.training().data()).isEqualTo("none: random weights, seed 1");
    assertThat(metadata.training().dataSha256()).isNull();
    assertThat(metadata.training().metrics()).isEmpty();
  }

  @Test
  void computes_values_per_sample_and_output_width() throws Exception {
    ModelMetadata metadata = read("""
        {"name": "m", "version": "1",
         "input": {"name": "window", "window": 5, "features": ["a", "b", "c", "d"]},
         "outputs": [{"name": "x", "size": 3}, {"name": "y", "size": 4}, {"name": "z", "size": 1}]}""");

    assertThat(metadata.input().valuesPerSample()).isEqualTo(20);
    assertThat(metadata.outputWidth()).isEqualTo(8);
  }

  @Test
  void reads_a_min_window_and_defaults_it_to_the_window() throws Exception {
    ModelMetadata padded = read("""
        {"name": "m", "version": "1",
         "input": {"name": "window", "window": 50, "min-window": 30, "features": ["a"]},
         "outputs": [{"name": "x", "size": 1}]}""");
    assertThat(padded.input().minWindow()).isEqualTo(30);
    assertThat(new ModelMetadata.Input("window", 4, List.of("a")).minWindow()).isEqualTo(4);
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 4, 5, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min-window");
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 4, 0, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min-window");
  }

  @Test
  void reads_fill_rows_and_defaults_them_to_the_first_reading() throws Exception {
    ModelMetadata filled = read("""
        {"name": "m", "version": "1",
         "input": {"name": "window", "window": 50, "min-window": 30, "fill-rows": 30, "features": ["a"]},
         "outputs": [{"name": "x", "size": 1}]}""");
    assertThat(filled.input().fillRows()).isEqualTo(30);
    assertThat(new ModelMetadata.Input("window", 50, 30, List.of("a")).fillRows()).isEqualTo(1);
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 50, 30, 31, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fill-rows must be between 1 and the min-window (30), not 31");
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 50, 30, 0, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fill-rows");
  }

  @Test
  void treats_missing_thresholds_and_training_as_none() throws Exception {
    ModelMetadata metadata = read("{\"name\": \"m\", \"version\": \"1\", " + INPUT + ", " + OUTPUTS + "}");

    assertThat(metadata.thresholds()).isEmpty();
    assertThat(metadata.training()).isNull();
  }

  @Test
  void rejects_unknown_properties() {
    assertThatThrownBy(() -> read("{\"name\": \"m\", \"version\": \"1\", \"colour\": \"red\", " + INPUT + ", " + OUTPUTS + "}"))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> read("""
        {"name": "m", "version": "1",
         "input": {"name": "window", "window": 4, "features": ["a"], "stride": 2}, %s}""".formatted(OUTPUTS)))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("stride");
  }

  @Test
  void rejects_a_model_without_outputs() {
    assertThatThrownBy(() -> read("{\"name\": \"m\", \"version\": \"7\", " + INPUT + ", \"outputs\": []}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("model m 7 declares no outputs");
    assertThatThrownBy(() -> new ModelMetadata("m", "7", new ModelMetadata.Input("window", 4, List.of("a")),
        List.of(), Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model m 7 declares no outputs");
  }

  @Test
  void rejects_an_input_without_a_window_or_features() {
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 0, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window >= 1");
    assertThatThrownBy(() -> new ModelMetadata.Input("window", 4, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one feature");
  }

  @Test
  void rejects_a_model_json_without_name_or_version() {
    assertThatThrownBy(() -> read("{\"version\": \"1\", " + INPUT + ", " + OUTPUTS + "}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("name");
  }

  @Test
  void keeps_its_lists_immutable() throws Exception {
    ModelMetadata metadata = read("{\"name\": \"m\", \"version\": \"1\", " + INPUT + ", " + OUTPUTS + "}");

    assertThatThrownBy(() -> metadata.outputs().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> metadata.input().features().add("d")).isInstanceOf(UnsupportedOperationException.class);
  }
}
