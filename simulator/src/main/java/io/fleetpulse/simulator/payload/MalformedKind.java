package io.fleetpulse.simulator.payload;

/**
 * The kinds of bad payload the simulator sends on request, each with the rejection code the node
 * must answer with (see fleet-api's {@code RejectReason}). The simulator cycles through them in
 * declaration order, so counts per code are exact and reproducible.
 */
public enum MalformedKind {
  BROKEN_JSON("payload.malformed"),
  WRONG_TYPE("payload.wrong-type"),
  NOT_FINITE("value.not-finite"),
  OUT_OF_RANGE("value.out-of-range"),
  UNKNOWN_METRIC("metric.unknown"),
  TIMESTAMP_SKEW("timestamp.skew"),
  DEVICE_MISMATCH("device.mismatch"),
  TOO_LARGE("payload.too-large");

  private final String code;

  MalformedKind(String code) {
    this.code = code;
  }

  /** The node's stable rejection code for this kind. */
  public String code() {
    return code;
  }

  /** The kind for the {@code ordinal}-th malformed message of a run (0-based). */
  public static MalformedKind cycle(long ordinal) {
    MalformedKind[] kinds = values();
    return kinds[(int) Math.floorMod(ordinal, (long) kinds.length)];
  }
}
