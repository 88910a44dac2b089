package io.fleetpulse.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@code --key value} (or {@code --key=value}) arguments into overrides of the
 * {@code fleetpulse.simulator} config block. Keys are the config keys (kebab-case, camelCase also
 * accepted, {@code tuning.} prefix for tuning keys); unknown keys are rejected.
 */
final class CommandLine {

  static final String USAGE = String.join("\n",
      "Usage: FleetSimulator [--key value]...   (also --key=value; -Dfleetpulse.simulator.<key>=value works too)",
      "  --broker-url URL             MQTT broker, tcp://host:port or ssl://host:port (default tcp://127.0.0.1:1883)",
      "  --api-url URL                node HTTP API base, e.g. http://127.0.0.1:8080 (default none: no HTTP)",
      "  --devices N                  simulated devices (default 300)",
      "  --connections N              MQTT connections / edge gateways; 0 = ceil(devices/50) (default 0)",
      "  --rate R                     total messages/s; 0 = as fast as acks allow (default 100)",
      "  --max-in-flight-per-connection N  unacknowledged publishes per connection (default 100)",
      "  --messages N                 total messages; 0 = unlimited (default 0)",
      "  --duration D                 e.g. 60s, 10m; 0 = until messages sent or Ctrl-C (default 0)",
      "  --seed N                     seed for signals, faults and bad input (default 42)",
      "  --sites K                    sites plant-1..plant-K (default 3)",
      "  --rotating-machine-share S   share of rm-* devices, rest env-* (default 0.6)",
      "  --compact-share S            share of compact JSON payloads, rest SenML (default 0.5)",
      "  --malformed-share S          share of malformed messages (default 0)",
      "  --duplicate-share S          share of exact re-publishes (default 0)",
      "  --late-share S               share of late (swapped) messages (default 0)",
      "  --faulty-share S             share of devices with injected faults (default 0.1)",
      "  --time-acceleration X        simulated time speed-up for signals (default 1)",
      "  --progress-interval D        progress line period; 0 = none (default 5s)",
      "  --drain D                    wait for dead letters before the report (default 3s)",
      "  --tuning.<key> V             see fleetpulse.simulator.tuning in reference.conf",
      "  --help                       this text");

  private static final String HELP = "help";

  private CommandLine() {}

  /** The overrides, or empty when help was asked for. */
  static Optional<Config> parse(String[] args) {
    Config reference = ConfigFactory.defaultReference().getConfig(SimulatorSettings.CONFIG_PATH);
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String argument = args[i];
      if (!argument.startsWith("--") || argument.length() == 2) {
        throw new IllegalArgumentException("expected --key value, got '" + argument + "'");
      }
      String key = argument.substring(2);
      String value;
      int equals = key.indexOf('=');
      if (equals >= 0) {
        value = key.substring(equals + 1);
        key = key.substring(0, equals);
      } else if (HELP.equals(key)) {
        return Optional.empty();
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("missing value after --" + key);
      }
      String path = kebabCase(key);
      if (!reference.hasPath(path) || reference.getValue(path).valueType() == ConfigValueType.OBJECT) {
        throw new IllegalArgumentException("unknown option --" + key);
      }
      overrides.put(SimulatorSettings.CONFIG_PATH + "." + path, value);
    }
    return Optional.of(ConfigFactory.parseMap(overrides, "command line"));
  }

  /** {@code apiUrl} and {@code tuning.tickInterval} become {@code api-url}, {@code tuning.tick-interval}. */
  static String kebabCase(String key) {
    StringBuilder kebab = new StringBuilder(key.length() + 4);
    for (char c : key.toCharArray()) {
      if (Character.isUpperCase(c)) {
        kebab.append('-').append(Character.toLowerCase(c));
      } else {
        kebab.append(c);
      }
    }
    return kebab.toString();
  }
}
