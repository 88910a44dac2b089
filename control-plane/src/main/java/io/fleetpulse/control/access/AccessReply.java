package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;

/** What the {@link AccessEntity} answers: the directory after the command, or why it refused. */
public sealed interface AccessReply extends CborSerializable {

  record Done(AccessDirectory directory) implements AccessReply {}

  record Refused(ErrorCode code, String message) implements AccessReply {}
}
