package io.fleetpulse.fleet.alert;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.error.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The open alerts of one device (every status but CLEARED_ACK) and their lifecycle: rule signals
 * raise, update and resolve them; operators acknowledge and clear them. While an alert of a type
 * is active a new trigger updates it instead of raising a second one. Each method returns the
 * change to store (or why an operator's command was refused); nothing here does I/O. Not
 * thread-safe: owned by one device actor, which serialises concurrent triggers and commands.
 */
public final class DeviceAlerts {

  /** The outcome of an operator's command. */
  public sealed interface Decision permits Decision.Changed, Decision.Refused {
    /** Applied; {@code change} is to be stored before the operator is answered. */
    record Changed(AlertChange change) implements Decision {}

    /** Not applied: {@code code} says why ({@link ErrorCode#ALERT_UNKNOWN}, already acknowledged, already cleared). */
    record Refused(ErrorCode code, String message) implements Decision {}
  }

  private final String deviceId;
  private final Supplier<UUID> ids;
  private final Map<UUID, Alert> open = new LinkedHashMap<>();

  public DeviceAlerts(String deviceId, Supplier<UUID> ids) {
    this.deviceId = deviceId;
    this.ids = ids;
  }

  /** Takes the device's stored open alerts back after a restart. */
  public void restore(List<Alert> alerts) {
    alerts.stream().filter(alert -> alert.status() != AlertStatus.CLEARED_ACK)
        .sorted(Comparator.comparingLong(Alert::raisedAtMillis))
        .forEach(alert -> open.put(alert.alertId(), alert));
  }

  /** Applies a rule's signal for a device at {@code site}; empty when it changes nothing. */
  public Optional<AlertChange> apply(AlertSignal signal, String site, long nowMillis) {
    Optional<Alert> active = active(signal.type());
    if (signal instanceof AlertSignal.Triggered triggered) {
      if (active.isPresent()) {
        Alert before = active.get();
        return Optional.of(put(new AlertChange(before.retriggered(triggered.severity(), triggered.message(), nowMillis,
            triggered.value(), triggered.occurrences()), before.status())));
      }
      return Optional.of(put(new AlertChange(Alert.raised(ids.get(), deviceId, site, triggered.type(),
          triggered.severity(), triggered.message(), nowMillis, triggered.value(), triggered.occurrences()), null)));
    }
    AlertSignal.Resolved resolved = (AlertSignal.Resolved) signal;
    return active.map(before -> put(new AlertChange(
        before.cleared(Alert.SYSTEM, resolved.message(), nowMillis), before.status())));
  }

  public Decision acknowledge(UUID alertId, String by, String note, long nowMillis) {
    Alert alert = open.get(alertId);
    if (alert == null) {
      return unknown(alertId);
    }
    if (alert.status().acknowledged()) {
      return new Decision.Refused(ErrorCode.ALERT_ALREADY_ACKNOWLEDGED,
          "alert " + alertId + " was acknowledged by " + alert.acknowledgedBy());
    }
    return new Decision.Changed(put(new AlertChange(alert.acknowledged(by, note, nowMillis), alert.status())));
  }

  public Decision clear(UUID alertId, String by, String note, long nowMillis) {
    Alert alert = open.get(alertId);
    if (alert == null) {
      return unknown(alertId);
    }
    if (!alert.status().active()) {
      return new Decision.Refused(ErrorCode.ALERT_ALREADY_CLEARED, "alert " + alertId + " was cleared by " + alert.clearedBy());
    }
    return new Decision.Changed(put(new AlertChange(alert.cleared(by, note, nowMillis), alert.status())));
  }

  /** The active alert of {@code type}, if any. */
  public Optional<Alert> active(String type) {
    return open.values().stream().filter(alert -> alert.type().equals(type) && alert.status().active()).findFirst();
  }

  /** A copy of the open alerts, oldest first. */
  public List<Alert> open() {
    return List.copyOf(new ArrayList<>(open.values()));
  }

  private AlertChange put(AlertChange change) {
    Alert alert = change.alert();
    if (alert.status() == AlertStatus.CLEARED_ACK) {
      open.remove(alert.alertId());
    } else {
      open.put(alert.alertId(), alert);
    }
    return change;
  }

  private Decision unknown(UUID alertId) {
    return new Decision.Refused(ErrorCode.ALERT_UNKNOWN,
        "device " + deviceId + " has no open alert " + alertId + " (unknown, or already cleared and acknowledged)");
  }
}
