package io.fleetpulse.control.registry;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.RegistryEntry;

/** A device entity's answer: the device as it is now, or why the command was refused. */
public sealed interface RegistryReply extends CborSerializable permits RegistryReply.Accepted, RegistryReply.Refused {

  /**
   * The device as it is now; {@code secret}, when a credential was issued by this request, is
   * that credential's secret, which nobody can read again (null otherwise, and always in the
   * entity's own reply: only the asking node ever holds a secret).
   */
  record Accepted(RegistryEntry entry, String secret) implements RegistryReply {
    public Accepted(RegistryEntry entry) {
      this(entry, null);
    }
  }

  record Refused(ErrorCode code, String message) implements RegistryReply {}
}
