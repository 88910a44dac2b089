package io.fleetpulse.api.alert;

import io.fleetpulse.api.CborSerializable;
import java.util.Objects;
import java.util.UUID;

/**
 * One alert of one device, as operators see it and the alert tables store it. At most one alert of
 * a type is active per device: while it is, a new trigger updates it ({@code triggerCount},
 * {@code lastValue}, {@code lastAtMillis}, possibly its severity) instead of raising another.
 * Times are the node's clock. {@code revision} counts the changes since it was raised (0 when
 * raised); stores keep the highest revision, whatever order writes arrive in. Immutable.
 *
 * @param message a human sentence: what the rule saw
 * @param acknowledgedBy who acknowledged it, or null
 * @param clearedBy who cleared it ({@link #SYSTEM} when its condition ended), or null
 * @param note the latest operator note, or null
 */
public record Alert(
    UUID alertId, String deviceId, String site, String type, AlertSeverity severity, AlertStatus status,
    String message, long raisedAtMillis, long lastAtMillis, double lastValue, long triggerCount,
    String acknowledgedBy, Long acknowledgedAtMillis, String clearedBy, Long clearedAtMillis, String note,
    long revision) implements CborSerializable {

  /** Who clears an alert whose condition ended. */
  public static final String SYSTEM = "system";

  public Alert {
    Objects.requireNonNull(alertId, "alertId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(status, "status");
  }

  public static Alert raised(
      UUID alertId, String deviceId, String site, String type, AlertSeverity severity, String message, long atMillis,
      double value, long occurrences) {
    return new Alert(alertId, deviceId, site, type, severity, AlertStatus.ACTIVE_UNACK, message, atMillis, atMillis,
        value, occurrences, null, null, null, null, null, 0);
  }

  /** The same condition seen again while the alert is active. */
  public Alert retriggered(AlertSeverity newSeverity, String newMessage, long atMillis, double value, long occurrences) {
    return new Alert(alertId, deviceId, site, type, newSeverity, status, newMessage, raisedAtMillis, atMillis, value,
        triggerCount + occurrences, acknowledgedBy, acknowledgedAtMillis, clearedBy, clearedAtMillis, note,
        revision + 1);
  }

  public Alert acknowledged(String by, String withNote, long atMillis) {
    return new Alert(alertId, deviceId, site, type, severity, status.acknowledge(), message, raisedAtMillis,
        lastAtMillis, lastValue, triggerCount, by, atMillis, clearedBy, clearedAtMillis,
        withNote == null ? note : withNote, revision + 1);
  }

  public Alert cleared(String by, String withNote, long atMillis) {
    return new Alert(alertId, deviceId, site, type, severity, status.clear(), message, raisedAtMillis, lastAtMillis,
        lastValue, triggerCount, acknowledgedBy, acknowledgedAtMillis, by, atMillis, withNote == null ? note : withNote,
        revision + 1);
  }
}
