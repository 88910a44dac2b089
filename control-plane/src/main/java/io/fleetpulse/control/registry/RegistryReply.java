package io.fleetpulse.control.registry;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.RegistryEntry;

/** A device entity's answer: the device as it is now, or why the command was refused. */
public sealed interface RegistryReply extends CborSerializable permits RegistryReply.Accepted, RegistryReply.Refused {

  record Accepted(RegistryEntry entry) implements RegistryReply {}

  record Refused(ErrorCode code, String message) implements RegistryReply {}
}
