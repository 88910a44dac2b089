package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.serving.InferenceReply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureProbabilityTest {

  @Test
  void the_normal_distribution_function_matches_its_tabulated_values() {
    assertThat(FailureProbability.normalCdf(0)).isCloseTo(0.5, within(1e-7));
    assertThat(FailureProbability.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
    assertThat(FailureProbability.normalCdf(-1)).isCloseTo(0.158655, within(1e-6));
    assertThat(FailureProbability.normalCdf(3)).isCloseTo(0.998650, within(1e-6));
  }

  @Test
  void is_a_half_at_the_horizon_and_grows_as_the_predicted_life_shrinks() {
    assertThat(FailureProbability.within(30, 30, 12)).isCloseTo(0.5, within(1e-7));
    assertThat(FailureProbability.within(30, 6, 12)).isCloseTo(0.97725, within(1e-5));
    assertThat(FailureProbability.within(30, 120, 12)).isLessThan(1e-10);
  }

  @Test
  void a_binding_with_a_horizon_appends_the_probability_when_the_version_records_its_error_spread() {
    DeviceProfile profile = new DeviceProfile("engine", "test", List.of(new MetricSpec("s", "1", 0, 1)),
        Duration.ofMinutes(1), NetworkSlice.EMBB, 4, List.of(new ModelBinding("rul", List.of("s"), 1, 1, 30)));
    ModelRuns runs = new ModelRuns(profile.models().get(0), profile, 3);

    float[] withSpread = runs.answered(new InferenceReply.Prediction("rul", "2", new float[] {18f}, 0, 1,
        Map.of("residual-sd", 12.0)), 0, 1);
    assertThat(withSpread).hasSize(2);
    assertThat(withSpread[0]).isEqualTo(18f);
    assertThat((double) withSpread[1]).isCloseTo(0.841345, within(1e-5)); // Phi(1)

    assertThat(runs.answered(new InferenceReply.Prediction("rul", "1", new float[] {18f}, 0, 1), 0, 2))
        .as("a version without residual-sd: the model's outputs only").containsExactly(18f);
  }
}
