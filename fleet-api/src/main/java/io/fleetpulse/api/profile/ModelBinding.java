package io.fleetpulse.api.profile;

import java.util.List;

/**
 * A model a profile runs on its devices: the registry name, the profile metrics it reads in the
 * model's feature order, how many recent messages make its window, and how often it runs (every
 * {@code every} accepted messages once the window is full).
 */
public record ModelBinding(String model, List<String> features, int window, int every) {
  public ModelBinding {
    features = List.copyOf(features);
    if (features.isEmpty() || window < 1 || every < 1) {
      throw new IllegalArgumentException("model '" + model + "' needs features, a window >= 1 and every >= 1");
    }
  }
}
