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
 * readings its actor keeps for models, the models to run on it, its alert rules, the severity
 * of the alert raised when a device goes offline (null: none), the metrics whose every reading
 * the streaming anomaly detector scores (each metric's scores are stored and watched as the
 * predictions of model {@link #anomalyModel}) and the message quota of each of its devices (null:
 * the gateway's default, {@code fleetpulse.gateway.rate-limit}). Its {@code role} says what its
 * clients may do on the broker: devices report, edge gateways publish for their site's devices,
 * alert consumers read alerts (the latter two report nothing themselves).
 */
public record DeviceProfile(
    String name,
    String description,
    List<MetricSpec> metrics,
    Duration inactivityTimeout,
    NetworkSlice networkSlice,
    int ringBufferSize,
    List<ModelBinding> models,
    List<AlertRule> alertRules,
    io.fleetpulse.api.alert.AlertSeverity offlineAlertSeverity,
    List<String> anomalyMetrics,
    RateLimit rateLimit,
    ClientRole role) {

  /** The alert type raised when a device of the profile goes offline. */
  public static final String OFFLINE_ALERT = "device-offline";

  /** What the anomaly scores of a metric are stored and watched as: {@code anomaly:<metric>}. */
  public static String anomalyModel(String metric) {
    return "anomaly:" + metric;
  }

  /** A device profile without a quota of its own. */
  public DeviceProfile(
      String name, String description, List<MetricSpec> metrics, Duration inactivityTimeout, NetworkSlice networkSlice,
      int ringBufferSize, List<ModelBinding> models, List<AlertRule> alertRules,
      io.fleetpulse.api.alert.AlertSeverity offlineAlertSeverity, List<String> anomalyMetrics) {
    this(name, description, metrics, inactivityTimeout, networkSlice, ringBufferSize, models, alertRules,
        offlineAlertSeverity, anomalyMetrics, null, ClientRole.DEVICE);
  }

  /** A profile without anomaly detection. */
  public DeviceProfile(
      String name, String description, List<MetricSpec> metrics, Duration inactivityTimeout, NetworkSlice networkSlice,
      int ringBufferSize, List<ModelBinding> models, List<AlertRule> alertRules,
      io.fleetpulse.api.alert.AlertSeverity offlineAlertSeverity) {
    this(name, description, metrics, inactivityTimeout, networkSlice, ringBufferSize, models, alertRules,
        offlineAlertSeverity, List.of());
  }

  /** A profile without alert rules. */
  public DeviceProfile(
      String name, String description, List<MetricSpec> metrics, Duration inactivityTimeout, NetworkSlice networkSlice,
      int ringBufferSize, List<ModelBinding> models) {
    this(name, description, metrics, inactivityTimeout, networkSlice, ringBufferSize, models, List.of(), null);
  }

  /** The severity of the alert raised when a device goes offline; empty when the profile raises none. */
  public Optional<io.fleetpulse.api.alert.AlertSeverity> offlineAlert() {
    return Optional.ofNullable(offlineAlertSeverity);
  }

  /** The profile's own message quota; empty when its devices get the gateway's default. */
  public Optional<RateLimit> declaredRateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  public DeviceProfile {
    Objects.requireNonNull(name, "name");
    metrics = List.copyOf(metrics);
    models = List.copyOf(models);
    alertRules = List.copyOf(alertRules);
    anomalyMetrics = List.copyOf(anomalyMetrics);
    Objects.requireNonNull(role, "role");
    if (metrics.isEmpty() && role == ClientRole.DEVICE) {
      throw new IllegalArgumentException("profile '" + name + "' declares no metrics");
    }
    if (role != ClientRole.DEVICE && !(metrics.isEmpty() && models.isEmpty() && alertRules.isEmpty())) {
      throw new IllegalArgumentException("profile '" + name + "' of role " + role.configName()
          + " reports nothing: it declares no metrics, models or alert rules");
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
    java.util.Set<String> scored = new java.util.HashSet<>();
    for (String metric : anomalyMetrics) {
      if (!seen.containsKey(metric)) {
        throw new IllegalArgumentException("profile '" + name + "': anomaly-scores names '" + metric + "', which the profile lacks");
      }
      if (!scored.add(metric)) {
        throw new IllegalArgumentException("profile '" + name + "': anomaly-scores names '" + metric + "' twice");
      }
    }
    java.util.Set<String> types = new java.util.HashSet<>();
    types.add(OFFLINE_ALERT);
    for (AlertRule rule : alertRules) {
      if (!types.add(rule.type())) {
        throw new IllegalArgumentException("profile '" + name + "': alert type '" + rule.type() + "' is used twice"
            + (rule.type().equals(OFFLINE_ALERT) ? " (" + OFFLINE_ALERT + " is the inactivity alert's)" : ""));
      }
      boolean known = rule.source() == AlertRule.Source.METRIC
          ? seen.containsKey(rule.name())
          : models.stream().anyMatch(model -> model.model().equals(rule.name()))
              || anomalyMetrics.stream().anyMatch(metric -> anomalyModel(metric).equals(rule.name()));
      if (!known) {
        throw new IllegalArgumentException("profile '" + name + "': alert rule '" + rule.type() + "' watches "
            + rule.source().name().toLowerCase(java.util.Locale.ROOT) + " '" + rule.name() + "', which the profile lacks");
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
