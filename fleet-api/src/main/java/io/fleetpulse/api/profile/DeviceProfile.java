package io.fleetpulse.api.profile;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a kind of device reports and how the fleet treats it, in the spirit of ThingsBoard's
 * device profiles: the ordered metrics (the order is the feature order of model windows), the
 * inactivity timeout after which a device counts as offline, its network slice, how many recent
 * readings its actor keeps for models, and the models to run on it.
 */
public record DeviceProfile(
    String name,
    String description,
    List<MetricSpec> metrics,
    Duration inactivityTimeout,
    NetworkSlice networkSlice,
    int ringBufferSize,
    List<ModelBinding> models) {

  public DeviceProfile {
    Objects.requireNonNull(name, "name");
    metrics = List.copyOf(metrics);
    models = List.copyOf(models);
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("profile '" + name + "' declares no metrics");
    }
    if (inactivityTimeout.isNegative() || inactivityTimeout.isZero()) {
      throw new IllegalArgumentException("profile '" + name + "': inactivity-timeout must be positive");
    }
    if (ringBufferSize < 1) {
      throw new IllegalArgumentException("profile '" + name + "': ring-buffer-size must be at least 1");
    }
    Map<String, MetricSpec> seen = new HashMap<>();
    for (MetricSpec metric : metrics) {
      if (seen.put(metric.name(), metric) != null) {
        throw new IllegalArgumentException(
            "profile '" + name + "' declares metric '" + metric.name() + "' twice");
      }
    }
    for (ModelBinding model : models) {
      for (String feature : model.features()) {
        if (!seen.containsKey(feature)) {
          throw new IllegalArgumentException(
              "profile '" + name + "': model '" + model.model() + "' reads '" + feature + "', which the profile lacks");
        }
      }
      if (model.window() > ringBufferSize) {
        throw new IllegalArgumentException(
            "profile '" + name + "': model '" + model.model() + "' needs " + model.window() + " messages, the ring keeps " + ringBufferSize);
      }
    }
  }

  public Optional<MetricSpec> metric(String metricName) {
    for (MetricSpec metric : metrics) {
      if (metric.name().equals(metricName)) {
        return Optional.of(metric);
      }
    }
    return Optional.empty();
  }

  /** Position of the metric in the profile's feature order, or -1 when the profile lacks it. */
  public int indexOf(String metricName) {
    for (int i = 0; i < metrics.size(); i++) {
      if (metrics.get(i).name().equals(metricName)) {
        return i;
      }
    }
    return -1;
  }
}
