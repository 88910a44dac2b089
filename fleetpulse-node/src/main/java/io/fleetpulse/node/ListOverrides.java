package io.fleetpulse.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets list-valued keys from comma-separated strings ({@code fleetpulse.node.list-overrides}).
 * Environment variables are strings and HOCON cannot split them, yet Kubernetes configures a pod
 * through its environment: {@code FLEETPULSE_ROLES=gateway,device} becomes
 * {@code pekko.cluster.roles = [gateway, device]}. An absent or blank entry changes nothing.
 */
public final class ListOverrides {

  /** Where the entries live: quoted config path = comma-separated values. */
  public static final String CONFIG_PATH = "fleetpulse.node.list-overrides";

  private ListOverrides() {}

  /** The config with every non-blank entry of {@link #CONFIG_PATH} applied over it. */
  public static Config apply(Config config) {
    if (!config.hasPath(CONFIG_PATH)) {
      return config;
    }
    Map<String, Object> lists = new LinkedHashMap<>();
    config.getObject(CONFIG_PATH).forEach((path, value) -> {
      if (value.valueType() != ConfigValueType.STRING) {
        throw new IllegalArgumentException(CONFIG_PATH + ".\"" + path + "\" must be a comma-separated string");
      }
      String text = ((String) value.unwrapped()).trim();
      if (!text.isEmpty()) {
        List<String> items = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        lists.put(path, items);
      }
    });
    return lists.isEmpty() ? config : ConfigFactory.parseMap(lists, "fleetpulse.node.list-overrides").withFallback(config);
  }
}
