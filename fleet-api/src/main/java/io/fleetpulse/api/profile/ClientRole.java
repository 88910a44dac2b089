package io.fleetpulse.api.profile;

import java.util.Locale;

/**
 * What a registered client of a profile may do on the broker (its profile's {@code role}). Every
 * client is scoped to the site of its registration.
 */
public enum ClientRole {
  /** Publishes its own telemetry under {@code fleet/{site}/{id}/}; subscribes to its own commands and dead letters. */
  DEVICE,
  /**
   * An edge gateway: one connection that publishes for many devices of its site (each message
   * still under the device's own topic), and subscribes to their commands and dead letters.
   */
  EDGE_GATEWAY,
  /** Subscribes to its site's alerts ({@code fleet/{site}/alerts}); publishes nothing. */
  ALERT_CONSUMER;

  /** {@code device}, {@code edge-gateway} or {@code alert-consumer}. */
  public static ClientRole parse(String text) {
    for (ClientRole role : values()) {
      if (role.configName().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return role;
      }
    }
    throw new IllegalArgumentException("role '" + text + "' is not one of device, edge-gateway, alert-consumer");
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
