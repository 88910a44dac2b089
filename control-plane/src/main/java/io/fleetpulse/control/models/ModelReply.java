package io.fleetpulse.control.models;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.serving.ModelDecision;

/** A model entity's answer: the model's decision as it is now, or why the command was refused. */
public sealed interface ModelReply extends CborSerializable permits ModelReply.Decided, ModelReply.Refused {

  record Decided(ModelDecision decision) implements ModelReply {}

  record Refused(ErrorCode code, String message) implements ModelReply {}
}
