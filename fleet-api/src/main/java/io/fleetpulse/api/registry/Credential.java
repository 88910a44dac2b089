package io.fleetpulse.api.registry;

import io.fleetpulse.api.CborSerializable;
import java.util.Objects;

/**
 * One secret a registered client may connect with, as the registry keeps it: its salted slow
 * hash (never the secret) and the moment it stops being accepted ({@link Long#MAX_VALUE}: the
 * current secret; earlier: a rotated-out secret within its grace period).
 */
public record Credential(String hash, long notAfterMillis) implements CborSerializable {

  public Credential {
    Objects.requireNonNull(hash, "hash");
  }

  public boolean validAt(long millis) {
    return millis < notAfterMillis;
  }
}
