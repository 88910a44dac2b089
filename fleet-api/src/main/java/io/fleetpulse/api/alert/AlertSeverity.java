package io.fleetpulse.api.alert;

import java.util.Locale;

/** How urgent an alert is, most urgent first (ThingsBoard's scale without its indeterminate). */
public enum AlertSeverity {
  CRITICAL,
  MAJOR,
  MINOR,
  WARNING;

  /** True when this severity is more urgent than {@code other}. */
  public boolean outranks(AlertSeverity other) {
    return ordinal() < other.ordinal();
  }

  public static AlertSeverity parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown alert severity '" + text + "': critical, major, minor or warning");
    }
  }
}
