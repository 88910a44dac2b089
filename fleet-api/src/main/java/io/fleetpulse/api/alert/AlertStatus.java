package io.fleetpulse.api.alert;

import java.util.Locale;

/**
 * Where an alert is in its life: raised and not yet seen ({@link #ACTIVE_UNACK}), acknowledged by
 * an operator while its condition holds ({@link #ACTIVE_ACK}), cleared (the condition ended or an
 * operator cleared it) before anyone acknowledged it ({@link #CLEARED_UNACK}), and done
 * ({@link #CLEARED_ACK}). Moves only forward: ACTIVE_UNACK to ACTIVE_ACK or CLEARED_UNACK, either
 * of those to CLEARED_ACK.
 */
public enum AlertStatus {
  ACTIVE_UNACK,
  ACTIVE_ACK,
  CLEARED_UNACK,
  CLEARED_ACK;

  public boolean active() {
    return this == ACTIVE_UNACK || this == ACTIVE_ACK;
  }

  public boolean acknowledged() {
    return this == ACTIVE_ACK || this == CLEARED_ACK;
  }

  /** The status after an acknowledgement (which must be possible: not {@link #acknowledged()}). */
  public AlertStatus acknowledge() {
    return active() ? ACTIVE_ACK : CLEARED_ACK;
  }

  /** The status after clearing (which must be possible: {@link #active()}). */
  public AlertStatus clear() {
    return acknowledged() ? CLEARED_ACK : CLEARED_UNACK;
  }

  public static AlertStatus parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown alert status '" + text + "': ACTIVE_UNACK, ACTIVE_ACK, CLEARED_UNACK or CLEARED_ACK");
    }
  }
}
