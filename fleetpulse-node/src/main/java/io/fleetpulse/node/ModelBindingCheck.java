package io.fleetpulse.node;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.serving.registry.ModelMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether each profile's model bindings build the windows the served model versions were trained
 * on. The pool refuses a window of the wrong shape, but not one of the right shape built otherwise
 * than in training: metrics in another order, a device's first windows from fewer messages than
 * the model's {@code min-window}, or filled otherwise than its {@code fill-rows}, would get
 * predictions for inputs the model never saw, silently. It is the registry's admission check
 * ({@link #admission}): a version that disagrees with a binding of its model never serves nor
 * runs in shadow. At start the highest version that agrees serves (the others are logged), and a
 * promote, shadow or rollback to one that disagrees is refused with these sentences.
 */
final class ModelBindingCheck {

  private ModelBindingCheck() {}

  /** The registry's admission check for these profiles: a version's disagreements with every binding of its model. */
  static Function<ModelMetadata, List<String>> admission(Collection<DeviceProfile> profiles) {
    return metadata -> problems(profiles, name -> name.equals(metadata.name()) ? Optional.of(metadata) : Optional.empty());
  }

  /**
   * One line per binding that disagrees with the version {@code version} gives for its model (the
   * active one, or the one to be admitted); empty when all agree.
   */
  static List<String> problems(Collection<DeviceProfile> profiles, Function<String, Optional<ModelMetadata>> version) {
    List<String> problems = new ArrayList<>();
    for (DeviceProfile profile : profiles) {
      for (ModelBinding binding : profile.models()) {
        version.apply(binding.model()).ifPresent(metadata -> {
          ModelMetadata.Input input = metadata.input();
          String where = "profile '" + profile.name() + "' runs " + metadata.name() + " v" + metadata.version();
          if (!binding.features().equals(input.features())) {
            problems.add(where + " on " + binding.features() + "; the model takes " + input.features());
          }
          if (binding.window() != input.window()) {
            problems.add(where + " on windows of " + binding.window() + " messages; the model takes " + input.window());
          }
          if (binding.minWindow() < input.minWindow()) {
            problems.add(where + " from " + binding.minWindow() + " messages (min-window); the model was trained from "
                + input.minWindow());
          }
          if (binding.minWindow() < binding.window() && binding.fillRows() != input.fillRows()) {
            problems.add(where + " filling short windows with the mean of the first " + binding.fillRows()
                + " messages (fill-rows); the model was trained with " + input.fillRows());
          }
        });
      }
    }
    return problems;
  }
}
