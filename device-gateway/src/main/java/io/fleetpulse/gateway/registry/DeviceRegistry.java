package io.fleetpulse.gateway.registry;

import java.util.List;
import java.util.Optional;

/**
 * The devices allowed to publish, as the gateway reads them: it asks for every message, so
 * implementations answer from memory ({@link RegistryView}, fed by the control plane).
 */
public interface DeviceRegistry {

  /**
   * The registration of {@code deviceId}, auto-provisioning it for {@code site} when the
   * configuration allows; empty when the device is unknown and may not be provisioned.
   */
  Optional<DeviceRegistration> resolve(String deviceId, String site);

  /**
   * As {@link #resolve} without recording anything: the registration of {@code deviceId}, or the
   * one an auto-provisioning rule would give it. The gateway validates a message of an unknown
   * device against that, and provisions the device ({@link #resolve}) only once it is valid.
   */
  Optional<DeviceRegistration> lookup(String deviceId, String site);

  Optional<DeviceRegistration> find(String deviceId);

  /** Devices' registrations in id order, for paging: at most {@code limit} after {@code afterDeviceId}. */
  List<DeviceRegistration> list(String afterDeviceId, int limit);

  /** As {@link #list(String, int)} for the registered clients of {@code role} (edge gateways, alert consumers). */
  List<DeviceRegistration> list(String afterDeviceId, int limit, io.fleetpulse.api.profile.ClientRole role);

  int size();
}
