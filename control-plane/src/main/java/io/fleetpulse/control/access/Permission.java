package io.fleetpulse.control.access;

import java.util.Locale;

/** What a route asks of the caller; {@link ConsoleRole#grants} says which roles give it. */
public enum Permission {
  /** Read the fleet, devices, alerts, models. */
  VIEW,
  /** Acknowledge and clear alerts. */
  OPERATE,
  /** Query and export stored data. */
  QUERY,
  /** Change devices, credentials, models, accounts and tokens; read the audit log. */
  ADMINISTER;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
