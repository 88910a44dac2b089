package io.fleetpulse.evaluation.nab;

import io.fleetpulse.testkit.SharedDatasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NabProfileTest {

  @Test
  void the_three_standard_profiles_carry_nabs_weights() {
    assertThat(NabProfile.standardProfiles()).containsExactly(
        new NabProfile("standard", 1.0, 1.0, 0.11),
        new NabProfile("reward_low_FP_rate", 1.0, 1.0, 0.22),
        new NabProfile("reward_low_FN_rate", 1.0, 2.0, 0.11));
  }

  @Test
  void profiles_are_read_from_a_profiles_json_in_file_order(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("profiles.json");
    Files.writeString(file, """
        {"cautious": {"CostMatrix": {"tpWeight": 2.0, "fnWeight": 0.5, "fpWeight": 0.3, "tnWeight": 1.0}},
         "standard": {"CostMatrix": {"tpWeight": 1, "fnWeight": 1, "fpWeight": 0.11, "tnWeight": 1}}}
        """);

    assertThat(NabProfile.read(file)).containsExactly(new NabProfile("cautious", 2.0, 0.5, 0.3), NabProfile.STANDARD);
  }

  @Test
  void the_standard_profiles_equal_the_corpus_profiles_json() {
    Path file = SharedDatasets.NAB.required().resolve("config/profiles.json");

    assertThat(NabProfile.read(file)).containsExactlyElementsOf(NabProfile.standardProfiles());
  }

  @Test
  void a_profile_without_a_weight_or_with_a_negative_one_is_refused(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("profiles.json");
    Files.writeString(file, "{\"broken\": {\"CostMatrix\": {\"tpWeight\": 1.0, \"fnWeight\": 1.0}}}");

    assertThatThrownBy(() -> NabProfile.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fpWeight");
    assertThatThrownBy(() -> new NabProfile("negative", 1, 1, -0.1)).isInstanceOf(IllegalArgumentException.class);
  }
}
