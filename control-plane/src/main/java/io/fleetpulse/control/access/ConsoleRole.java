package io.fleetpulse.control.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a person or script may do through the HTTP API and dashboard. Roles add up: an identity
 * holds any set of them, and may use a route when one of its roles grants the route's {@link
 * Permission}.
 */
public enum ConsoleRole {
  /** Reads the fleet, devices, alerts and models. */
  VIEWER,
  /** Reads as a viewer; also acknowledges and clears alerts, on its sites. */
  OPERATOR,
  /** Queries and exports stored telemetry, predictions and alerts (the data API), on its sites. */
  DATA,
  /** Everything: devices, credentials, models, accounts, tokens, the audit log, and every other role's routes. */
  ADMIN;

  public boolean grants(Permission permission) {
    return switch (this) {
      case VIEWER -> permission == Permission.VIEW;
      case OPERATOR -> permission == Permission.VIEW || permission == Permission.OPERATE;
      case DATA -> permission == Permission.QUERY;
      case ADMIN -> true;
    };
  }

  /** {@code viewer}, {@code operator}, {@code data} or {@code admin}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ConsoleRole parse(String text) {
    for (ConsoleRole role : values()) {
      if (role.id().equals(text == null ? "" : text.strip().toLowerCase(Locale.ROOT))) {
        return role;
      }
    }
    throw new IllegalArgumentException("role '" + text + "' is not one of viewer, operator, data, admin");
  }

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
