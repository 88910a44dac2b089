package io.fleetpulse.api.alert;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;

/** A device actor's answer to an operator's acknowledge or clear. */
public sealed interface AlertReply extends CborSerializable permits AlertReply.Changed, AlertReply.Refused {

  /** Applied and stored: the alert as it is now. */
  record Changed(Alert alert) implements AlertReply {}

  /**
   * Not applied, or applied but not stored ({@link ErrorCode#ALERT_STORE_UNAVAILABLE}): why, as a
   * stable code and a sentence for the operator.
   */
  record Refused(ErrorCode code, String message) implements AlertReply {}
}
