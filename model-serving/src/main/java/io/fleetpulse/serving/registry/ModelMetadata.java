package io.fleetpulse.serving.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the registry knows about one model version, from the {@code model.json} beside its
 * {@code model.onnx}: the input (tensor name, window length, feature order), the outputs and what
 * they mean, decision thresholds, and where it came from (training data, its hash, metrics). The
 * graph must agree with it or the version is refused.
 */
public record ModelMetadata(
    String name, String version, Input input, List<Output> outputs, Map<String, Double> thresholds, Training training) {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public ModelMetadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(input, "input");
    outputs = List.copyOf(outputs);
    thresholds = thresholds == null ? Map.of() : Map.copyOf(thresholds);
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("model " + name + " " + version + " declares no outputs");
    }
  }

  /**
   * The model reads a {@code [batch, window, features.size()]} float tensor named {@code name}.
   * {@code min-window} (optional, at most the window; the window when absent): the model was also
   * trained on the windows of a device's first {@code min-window} to {@code window - 1} readings,
   * filled at the front, and may be served so (a profile binding's {@code min-window}).
   * {@code fill-rows} (optional, 1 to the min-window; 1 when absent): what fills such a window, the
   * mean of the device's first {@code fill-rows} readings (1: its first reading repeated), as it was
   * trained (a profile binding's {@code fill-rows}).
   */
  public record Input(String name, int window, @JsonProperty("min-window") Integer minWindow,
      @JsonProperty("fill-rows") Integer fillRows, List<String> features) {
    public Input {
      features = List.copyOf(features);
      if (window < 1 || features.isEmpty()) {
        throw new IllegalArgumentException("input needs a window >= 1 and at least one feature");
      }
      if (minWindow == null) {
        minWindow = window;
      }
      if (minWindow < 1 || minWindow > window) {
        throw new IllegalArgumentException("input min-window must be between 1 and the window (" + window + "), not " + minWindow);
      }
      if (fillRows == null) {
        fillRows = 1;
      }
      if (fillRows < 1 || fillRows > minWindow) {
        throw new IllegalArgumentException(
            "input fill-rows must be between 1 and the min-window (" + minWindow + "), not " + fillRows);
      }
    }

    public Input(String name, int window, Integer minWindow, List<String> features) {
      this(name, window, minWindow, null, features);
    }

    public Input(String name, int window, List<String> features) {
      this(name, window, null, null, features);
    }

    public int valuesPerSample() {
      return window * features.size();
    }
  }

  /** One output tensor {@code [batch, size]} and what its values mean. */
  public record Output(String name, int size, String meaning) {}

  public record Training(String data, String dataSha256, Map<String, Double> metrics, String command) {}

  public static ModelMetadata read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), ModelMetadata.class);
  }

  public int outputWidth() {
    return outputs.stream().mapToInt(Output::size).sum();
  }
}
