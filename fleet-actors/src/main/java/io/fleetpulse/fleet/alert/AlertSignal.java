package io.fleetpulse.fleet.alert;

import io.fleetpulse.api.alert.AlertSeverity;

/**
 * What an alert rule says about a device: its condition holds ({@link Triggered}), or it ended
 * ({@link Resolved}). {@link DeviceAlerts} turns signals into alert changes.
 */
public sealed interface AlertSignal permits AlertSignal.Triggered, AlertSignal.Resolved {

  String type();

  /**
   * The condition holds at {@code severity}; {@code occurrences} readings (or checks) met it since
   * the rule last reported.
   */
  record Triggered(String type, AlertSeverity severity, double value, long atMillis, long occurrences, String message)
      implements AlertSignal {}

  /** The condition ended: the value is back past the clear threshold, or the device spoke again. */
  record Resolved(String type, double value, long atMillis, String message) implements AlertSignal {}
}
