package io.fleetpulse.gateway.decode;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed telemetry topic {@code fleet/{site}/{deviceId}/telemetry}. Site and device ids are
 * restricted to characters that are safe in topics, URLs and Cassandra keys.
 */
public record TelemetryTopic(String site, String deviceId) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public static Optional<TelemetryTopic> parse(String topic) {
    String[] levels = topic.split("/", -1);
    if (levels.length != 4 || !levels[0].equals("fleet") || !levels[3].equals("telemetry")) {
      return Optional.empty();
    }
    if (!isValidId(levels[1]) || !isValidId(levels[2])) {
      return Optional.empty();
    }
    return Optional.of(new TelemetryTopic(levels[1], levels[2]));
  }

  public static boolean isValidId(String id) {
    return ID.matcher(id).matches();
  }

  public String deadLetterTopic() {
    return "fleet/" + site + "/" + deviceId + "/dead-letter";
  }
}
