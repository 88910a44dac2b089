package io.fleetpulse.api.profile;

import java.util.List;

/**
 * A model a profile runs on its devices: the registry name, the profile metrics it reads in the
 * model's feature order, how many recent messages make its window, and how often it runs (every
 * {@code every} accepted messages once the window is full).
 *
 * <p>{@code failureHorizon} (0: none) is for remaining-useful-life models, whose first output is
 * the life left in messages (cycles): each prediction then also carries the probability that the
 * device fails within that many cycles, from the model version's {@code residual-sd} threshold
 * (the standard deviation of its errors on held-out engines), appended to its outputs.
 */
public record ModelBinding(String model, List<String> features, int window, int every, int failureHorizon) {
  public ModelBinding {
    features = List.copyOf(features);
    if (features.isEmpty() || window < 1 || every < 1) {
      throw new IllegalArgumentException("model '" + model + "' needs features, a window >= 1 and every >= 1");
    }
    if (failureHorizon < 0) {
      throw new IllegalArgumentException("model '" + model + "': failure-horizon must not be negative");
    }
  }

  public ModelBinding(String model, List<String> features, int window, int every) {
    this(model, features, window, every, 0);
  }
}
