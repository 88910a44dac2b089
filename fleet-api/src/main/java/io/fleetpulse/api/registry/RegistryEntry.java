package io.fleetpulse.api.registry;

import io.fleetpulse.api.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * A device as the control plane last decided it: what every node's registry view holds, what
 * Distributed Data carries between nodes and what {@link RegistryStore} keeps for a cluster that
 * starts cold. {@code revision} is the sequence number of the device entity's latest event: of
 * two entries for one device the higher revision is the newer, whatever order they arrive in.
 *
 * @param autoProvisioned registered by its first message (an auto-provisioning rule) rather than by an operator
 * @param decommissioned taken out of the fleet: its messages are refused, and it is not provisioned again
 * @param credentials the secrets it may connect to the broker with (hashes), none when never issued or revoked
 */
public record RegistryEntry(String deviceId, String site, String profile, boolean autoProvisioned,
    boolean decommissioned, long revision, long updatedAtMillis, List<Credential> credentials) implements CborSerializable {

  public RegistryEntry {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(profile, "profile");
    credentials = credentials == null ? List.of() : List.copyOf(credentials);
  }

  /** An entry without credentials. */
  public RegistryEntry(String deviceId, String site, String profile, boolean autoProvisioned, boolean decommissioned,
      long revision, long updatedAtMillis) {
    this(deviceId, site, profile, autoProvisioned, decommissioned, revision, updatedAtMillis, List.of());
  }

  /** Whether some credential is accepted at {@code millis}. */
  public boolean hasCredentialAt(long millis) {
    for (Credential credential : credentials) {
      if (credential.validAt(millis)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this entry supersedes {@code other} (null: nothing known yet). */
  public boolean newerThan(RegistryEntry other) {
    return other == null || revision > other.revision;
  }
}
