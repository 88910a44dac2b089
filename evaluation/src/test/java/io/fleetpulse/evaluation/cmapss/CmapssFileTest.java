package io.fleetpulse.evaluation.cmapss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.serving.registry.ModelMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CmapssFileTest {

  /** Cycles whose 24 values are all the given number. */
  private static List<float[]> cycles(float... values) {
    List<float[]> cycles = new ArrayList<>();
    for (float value : values) {
      float[] cycle = new float[CmapssFile.VALUES_PER_CYCLE];
      Arrays.fill(cycle, value);
      cycles.add(cycle);
    }
    return cycles;
  }

  /** The first value of each row of a flattened window. */
  private static List<Float> firstValues(float[] window) {
    List<Float> firsts = new ArrayList<>();
    for (int row = 0; row < window.length / CmapssFile.VALUES_PER_CYCLE; row++) {
      firsts.add(window[row * CmapssFile.VALUES_PER_CYCLE]);
    }
    return firsts;
  }

  private static ModelMetadata.Input input(int window, int minWindow, int fillRows) {
    return new ModelMetadata.Input("window", window, minWindow, fillRows, CmapssFile.METRICS);
  }

  @Test
  void a_short_window_is_filled_with_the_first_cycle_or_the_mean_of_the_first_fill_rows() {
    List<float[]> engine = cycles(1, 2, 6, 7, 8, 9);
    assertThat(firstValues(CmapssFile.window(engine, 3, input(5, 3, 1)))).containsExactly(1f, 1f, 1f, 2f, 6f);
    assertThat(firstValues(CmapssFile.window(engine, 3, input(5, 3, 3)))).containsExactly(3f, 3f, 1f, 2f, 6f);
    assertThat(firstValues(CmapssFile.window(engine, 4, input(5, 3, 2)))).as("the mean of the first two")
        .containsExactly(1.5f, 1f, 2f, 6f, 7f);
    assertThat(firstValues(CmapssFile.window(engine, 6, input(5, 3, 3)))).as("a whole window: no fill")
        .containsExactly(2f, 6f, 7f, 8f, 9f);
    assertThat(CmapssFile.window(engine, 3, input(5, 3, 3))).hasSize(5 * CmapssFile.VALUES_PER_CYCLE)
        .as("every value of a fill row").startsWith(new float[] {3f, 3f, 3f});
  }

  @Test
  void refuses_a_window_the_engine_has_not_run() {
    List<float[]> engine = cycles(1, 2, 3);
    assertThatThrownBy(() -> CmapssFile.window(engine, 2, input(5, 3, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no window ends with cycle 2 of 3 (at least 3 cycles needed)");
    assertThatThrownBy(() -> CmapssFile.window(engine, 4, input(5, 3, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycle 4 of 3");
  }
}
