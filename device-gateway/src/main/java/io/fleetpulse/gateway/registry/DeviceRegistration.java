package io.fleetpulse.gateway.registry;

import io.fleetpulse.api.telemetry.DeviceIdentity;
import java.util.Objects;

/**
 * A device the fleet knows: its id, the site it belongs to, its profile, and whether it was
 * registered by an operator or auto-provisioned from its first message.
 */
public record DeviceRegistration(String deviceId, String site, String profile, boolean autoProvisioned) {

  public DeviceRegistration {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(profile, "profile");
  }

  public DeviceIdentity identity() {
    return new DeviceIdentity(deviceId, site, profile);
  }
}
