package io.fleetpulse.simulator.plan;

/** What one slot of the {@link MessagePlan} publishes for its device. */
public enum MessageKind {
  /** The device's next valid reading. */
  VALID,
  /**
   * Starts an adjacent swap: takes sequence numbers k and k+1, publishes k+1 now and holds k back
   * for the device's next slot, which is always {@link #LATE}.
   */
  LATE_LEAD,
  /** Publishes the reading held back by the preceding {@link #LATE_LEAD}: valid, unique, late. */
  LATE,
  /** Re-publishes the device's last valid payload byte for byte. */
  DUPLICATE,
  /** A payload the node must reject; consumes no sequence number. */
  MALFORMED;

  /** Whether the node should count this message once as a new, accepted reading. */
  public boolean validUnique() {
    return this == VALID || this == LATE_LEAD || this == LATE;
  }
}
