package io.fleetpulse.api.telemetry;

import io.fleetpulse.api.CborSerializable;
import java.util.Objects;

/** Who a message is about: the device, the site it belongs to and its profile's name. */
public record DeviceIdentity(String deviceId, String site, String profile) implements CborSerializable {
  public DeviceIdentity {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(profile, "profile");
  }
}
