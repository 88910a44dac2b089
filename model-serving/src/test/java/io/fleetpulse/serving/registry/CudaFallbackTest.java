package io.fleetpulse.serving.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.serving.ServingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA provider on a build or machine without CUDA (this test runs the CPU build of ONNX
 * Runtime): by default the registry logs why and serves on CPU; strict refuses to start.
 */
class CudaFallbackTest {

  @TempDir
  Path directory;

  @Test
  void falls_back_to_cpu_when_cuda_cannot_be_initialised() throws Exception {
    copyScorer();
    try (ModelRegistry registry = new ModelRegistry(directory, execution(false))) {
      assertThat(registry.loadAll()).isEmpty();
      assertThat(registry.active("scorer").orElseThrow().run(new float[12], 1)).hasNumberOfRows(1);
    }
  }

  @Test
  void refuses_to_start_when_cuda_is_configured_strictly_and_unavailable() throws Exception {
    copyScorer();
    try (ModelRegistry registry = new ModelRegistry(directory, execution(true))) {
      assertThatThrownBy(registry::loadAll)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("CUDA was configured strictly but cannot be initialised");
    }
  }

  private static ServingSettings.Execution execution(boolean strict) {
    return new ServingSettings.Execution("cuda", 0, 1L << 30, strict, 1, 1, 2, 1);
  }

  private void copyScorer() throws IOException {
    Path target = Files.createDirectories(directory.resolve("scorer/1"));
    Path source = Path.of("src/test/resources/models/scorer/1");
    Files.copy(source.resolve("model.onnx"), target.resolve("model.onnx"));
    Files.copy(source.resolve("model.json"), target.resolve("model.json"));
  }
}
