package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelMetadata;
import io.fleetpulse.serving.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelBindingCheckTest {

  private static final ModelMetadata RUL = new ModelMetadata("rul", "5",
      new ModelMetadata.Input("window", 10, 4, 3, List.of("a")), List.of(new ModelMetadata.Output("rul", 1, "cycles")),
      Map.of(), null);

  private static DeviceProfile profile(ModelBinding binding) {
    List<MetricSpec> metrics = List.of(new MetricSpec("a", "1", 0, 1), new MetricSpec("b", "1", 0, 1));
    return new DeviceProfile("engine", "test", metrics, Duration.ofMinutes(1), NetworkSlice.EMBB, 16, List.of(binding));
  }

  private static List<String> problems(ModelBinding binding) {
    return ModelBindingCheck.problems(List.of(profile(binding)), name -> name.equals("rul") ? Optional.of(RUL) : Optional.empty());
  }

  @Test
  void a_binding_as_the_model_was_trained_or_stricter_agrees() {
    assertThat(problems(new ModelBinding("rul", List.of("a"), 10, 4, 1, 0, 3))).isEmpty();
    assertThat(problems(new ModelBinding("rul", List.of("a"), 10, 6, 1, 0, 3))).as("a later first window").isEmpty();
    assertThat(problems(new ModelBinding("rul", List.of("a"), 10, 10, 1, 0, 1)))
        .as("whole windows only: nothing is filled, whatever the fill").isEmpty();
    assertThat(problems(new ModelBinding("other", List.of("a"), 3, 1))).as("no version of the model loaded").isEmpty();
  }

  @Test
  void names_each_way_a_binding_disagrees_with_the_model() {
    assertThat(problems(new ModelBinding("rul", List.of("a"), 10, 4, 1, 0, 1))).singleElement().asString()
        .contains("profile 'engine' runs rul v5", "mean of the first 1 messages (fill-rows)", "trained with 3");
    assertThat(problems(new ModelBinding("rul", List.of("a"), 10, 3, 1, 0, 3))).singleElement().asString()
        .contains("from 3 messages (min-window); the model was trained from 4");
    assertThat(problems(new ModelBinding("rul", List.of("a"), 12, 12, 1, 0, 1))).singleElement().asString()
        .contains("windows of 12 messages; the model takes 10");
    assertThat(problems(new ModelBinding("rul", List.of("b"), 10, 4, 1, 0, 3))).singleElement().asString()
        .contains("on [b]; the model takes [a]");
  }

  @Test
  void the_shipped_profiles_agree_with_the_shipped_models() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());
    try (ModelRegistry models = new ModelRegistry(Path.of("..", "models"),
        ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
      assertThat(models.loadAll()).isEmpty();
      assertThat(ModelBindingCheck.problems(profiles.all(), name -> models.active(name).map(LoadedModel::metadata)))
          .isEmpty();
    }
  }

  @Test
  void the_node_registry_refuses_to_serve_a_shipped_version_the_turbofan_binding_cannot_feed() throws Exception {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());
    try (ModelRegistry models = new ModelRegistry(Path.of("..", "models"),
        ServingSettings.fromConfig(ConfigFactory.load()).execution(), ModelBindingCheck.admission(profiles.all()))) {
      assertThat(models.loadAll()).isEmpty();
      String served = models.active("rul-fd001").orElseThrow().metadata().version();
      assertThat(served).as("the highest version the 70-cycle binding feeds").isEqualTo("6");
      models.install(models.loadVersion("rul-fd001", "2"));
      models.install(models.loadVersion("rul-fd001", "4"));

      assertThatThrownBy(() -> models.promote("rul-fd001", "2")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("version 2 of rul-fd001 cannot be served: profile 'turbofan' runs rul-fd001 v2 on windows of")
          .hasMessageContaining("the model takes 30");
      assertThatThrownBy(() -> models.shadow("rul-fd001", "4")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("version 4 of rul-fd001 cannot be run in shadow")
          .hasMessageContaining("windows of 70 messages; the model takes 100");
      assertThat(models.active("rul-fd001").orElseThrow().metadata().version()).isEqualTo(served);
    }
  }
}
