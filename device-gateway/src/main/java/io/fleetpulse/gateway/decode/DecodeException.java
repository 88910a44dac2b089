package io.fleetpulse.gateway.decode;

import io.fleetpulse.api.telemetry.RejectReason;

/**
 * A payload could not be decoded. Thrown per bad message, so it carries no stack trace: the
 * reason and detail say everything.
 */
public final class DecodeException extends Exception {

  private final transient RejectReason reason;

  public DecodeException(RejectReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }

  public String detail() {
    return getMessage();
  }
}
