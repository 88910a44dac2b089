package io.fleetpulse.api.profile;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The device profiles known to this node, read once from {@code fleetpulse.profiles}. Each key
 * under that path is a profile name; see this module's {@code reference.conf} for the shape.
 */
public final class DeviceProfiles {

  public static final String CONFIG_PATH = "fleetpulse.profiles";

  private final Map<String, DeviceProfile> byName;

  private DeviceProfiles(Map<String, DeviceProfile> byName) {
    this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
  }

  public static DeviceProfiles of(Collection<DeviceProfile> profiles) {
    Map<String, DeviceProfile> map = new TreeMap<>();
    for (DeviceProfile profile : profiles) {
      if (map.put(profile.name(), profile) != null) {
        throw new IllegalArgumentException("profile '" + profile.name() + "' defined twice");
      }
    }
    return new DeviceProfiles(map);
  }

  /** Reads every profile under {@code fleetpulse.profiles} of the given (root) config. */
  public static DeviceProfiles fromConfig(Config root) {
    Config profilesConfig = root.getConfig(CONFIG_PATH);
    ConfigObject object = profilesConfig.root();
    List<DeviceProfile> profiles = new ArrayList<>();
    for (String name : new TreeMap<>(object.unwrapped()).keySet()) {
      profiles.add(profile(name, profilesConfig.getConfig(quoted(name))));
    }
    return of(profiles);
  }

  private static DeviceProfile profile(String name, Config config) {
    try {
      ClientRole role = config.hasPath("role") ? ClientRole.parse(config.getString("role")) : ClientRole.DEVICE;
      List<MetricSpec> metrics = new ArrayList<>();
      for (Config metric : config.hasPath("metrics") ? config.getConfigList("metrics") : List.<Config>of()) {
        metrics.add(
            new MetricSpec(
                metric.getString("name"),
                metric.getString("unit"),
                metric.getDouble("min"),
                metric.getDouble("max")));
      }
      return new DeviceProfile(
          name,
          config.getString("description"),
          metrics,
          config.getDuration("inactivity-timeout"),
          NetworkSlice.parse(config.getString("network-slice")),
          config.getInt("ring-buffer-size"),
          models(config),
          alertRules(config),
          offlineAlert(config).orElse(null),
          config.hasPath("anomaly-scores") ? config.getStringList("anomaly-scores") : List.of(),
          rateLimit(config).orElse(null),
          role);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid device profile '" + name + "': " + e.getMessage(), e);
    }
  }

  private static List<ModelBinding> models(Config config) {
    List<ModelBinding> models = new ArrayList<>();
    for (Config model : config.hasPath("models") ? config.getConfigList("models") : List.<Config>of()) {
      int window = model.getInt("window");
      models.add(new ModelBinding(
          model.getString("model"), model.getStringList("features"), window,
          model.hasPath("min-window") ? model.getInt("min-window") : window,
          model.hasPath("every") ? model.getInt("every") : 1,
          model.hasPath("failure-horizon") ? model.getInt("failure-horizon") : 0,
          model.hasPath("fill-rows") ? model.getInt("fill-rows") : 1));
    }
    return models;
  }

  private static List<AlertRule> alertRules(Config config) {
    List<AlertRule> rules = new ArrayList<>();
    if (!config.hasPath("alert-rules")) {
      return rules;
    }
    for (Config rule : config.getConfigList("alert-rules")) {
      String type = rule.getString("type");
      if (rule.hasPath("metric") == rule.hasPath("model")) {
        throw new IllegalArgumentException("alert rule '" + type + "' must watch either a metric or a model");
      }
      if (rule.hasPath("above") == rule.hasPath("below")) {
        throw new IllegalArgumentException("alert rule '" + type + "' needs thresholds either 'above' or 'below'");
      }
      AlertRule.Direction direction = rule.hasPath("above") ? AlertRule.Direction.ABOVE : AlertRule.Direction.BELOW;
      String side = direction == AlertRule.Direction.ABOVE ? "above" : "below";
      String clearKey = direction == AlertRule.Direction.ABOVE ? "clear-below" : "clear-above";
      if (!rule.hasPath(clearKey)) {
        throw new IllegalArgumentException("alert rule '" + type + "' with thresholds " + side + " needs '" + clearKey + "'");
      }
      Map<io.fleetpulse.api.alert.AlertSeverity, Double> raise = new java.util.EnumMap<>(io.fleetpulse.api.alert.AlertSeverity.class);
      Config thresholds = rule.getConfig(side);
      for (String severity : thresholds.root().keySet()) {
        raise.put(io.fleetpulse.api.alert.AlertSeverity.parse(severity), thresholds.getDouble(severity));
      }
      boolean metric = rule.hasPath("metric");
      rules.add(new AlertRule(type, metric ? AlertRule.Source.METRIC : AlertRule.Source.MODEL,
          rule.getString(metric ? "metric" : "model"), rule.hasPath("output") ? rule.getInt("output") : 0, direction,
          raise, rule.getDouble(clearKey),
          rule.hasPath("min-duration") ? rule.getDuration("min-duration") : java.time.Duration.ZERO));
    }
    return rules;
  }

  private static Optional<RateLimit> rateLimit(Config config) {
    if (!config.hasPath("rate-limit")) {
      return Optional.empty();
    }
    Config limit = config.getConfig("rate-limit");
    return Optional.of(new RateLimit(limit.getDouble("messages-per-second"), limit.getInt("burst")));
  }

  private static Optional<io.fleetpulse.api.alert.AlertSeverity> offlineAlert(Config config) {
    if (!config.hasPath("offline-alert") || config.getString("offline-alert").equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    return Optional.of(io.fleetpulse.api.alert.AlertSeverity.parse(config.getString("offline-alert")));
  }

  private static String quoted(String key) {
    return "\"" + key + "\"";
  }

  public Optional<DeviceProfile> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public DeviceProfile get(String name) {
    DeviceProfile profile = byName.get(name);
    if (profile == null) {
      throw new IllegalArgumentException("unknown device profile '" + name + "', known: " + byName.keySet());
    }
    return profile;
  }

  public Collection<DeviceProfile> all() {
    return byName.values();
  }
}
