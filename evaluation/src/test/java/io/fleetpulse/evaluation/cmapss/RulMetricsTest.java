package io.fleetpulse.evaluation.cmapss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RulMetricsTest {

  @Test
  void rmse_of_hand_computed_errors() {
    // errors -3, 0, 4: sqrt((9 + 0 + 16) / 3)
    assertThat(RulMetrics.rmse(new double[] {7, 10, 24}, new double[] {10, 10, 20})).isCloseTo(Math.sqrt(25.0 / 3), within(1e-12));
  }

  @Test
  void nasa_score_punishes_late_predictions_more_than_early_ones() {
    double early = RulMetrics.nasaScore(new double[] {87}, new double[] {100}); // d = -13: e^1 - 1
    double late = RulMetrics.nasaScore(new double[] {110}, new double[] {100}); // d = 10: e^1 - 1
    assertThat(early).isCloseTo(Math.E - 1, within(1e-12));
    assertThat(late).isCloseTo(Math.E - 1, within(1e-12));
    assertThat(RulMetrics.nasaScore(new double[] {113}, new double[] {100}))
        .as("13 cycles late costs more than 13 early").isGreaterThan(early);
    assertThat(RulMetrics.nasaScore(new double[] {100}, new double[] {100})).isZero();
  }

  @Test
  void refuses_mismatched_lengths() {
    assertThatThrownBy(() -> RulMetrics.rmse(new double[] {1}, new double[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RulMetrics.nasaScore(new double[0], new double[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
