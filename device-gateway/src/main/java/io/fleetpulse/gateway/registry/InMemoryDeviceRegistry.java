package io.fleetpulse.gateway.registry;

import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Registry held in this node's memory: operator registrations plus auto-provisioning by device-id
 * pattern. Registrations are lost on restart (auto-provisioned devices reappear with their next
 * message); the persistence module replaces it with the Cassandra device registry.
 */
public final class InMemoryDeviceRegistry implements DeviceRegistry {

  private final ConcurrentNavigableMap<String, DeviceRegistration> devices = new ConcurrentSkipListMap<>();
  private final GatewaySettings.Registration settings;
  private final DeviceProfiles profiles;

  public InMemoryDeviceRegistry(GatewaySettings.Registration settings, DeviceProfiles profiles) {
    this.settings = settings;
    this.profiles = profiles;
    for (GatewaySettings.AutoProvisionRule rule : settings.autoProvision()) {
      profiles.get(rule.profile()); // fail at start, not on the first message
    }
  }

  @Override
  public Optional<DeviceRegistration> resolve(String deviceId, String site) {
    DeviceRegistration known = devices.get(deviceId);
    if (known != null || settings.required()) {
      return Optional.ofNullable(known);
    }
    for (GatewaySettings.AutoProvisionRule rule : settings.autoProvision()) {
      if (rule.matches(deviceId)) {
        return Optional.of(
            devices.computeIfAbsent(deviceId, id -> new DeviceRegistration(id, site, rule.profile(), true)));
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<DeviceRegistration> find(String deviceId) {
    return Optional.ofNullable(devices.get(deviceId));
  }

  @Override
  public DeviceRegistration register(String deviceId, String site, String profile) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      throw new IllegalArgumentException("device id '" + deviceId + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    if (!TelemetryTopic.isValidId(site)) {
      throw new IllegalArgumentException("site '" + site + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    profiles.get(profile);
    DeviceRegistration registration = new DeviceRegistration(deviceId, site, profile, false);
    devices.put(deviceId, registration);
    return registration;
  }

  @Override
  public List<DeviceRegistration> list(String afterDeviceId, int limit) {
    Map<String, DeviceRegistration> tail = afterDeviceId == null ? devices : devices.tailMap(afterDeviceId, false);
    List<DeviceRegistration> page = new ArrayList<>(Math.min(limit, 1024));
    for (DeviceRegistration registration : tail.values()) {
      if (page.size() >= limit) {
        break;
      }
      page.add(registration);
    }
    return page;
  }

  @Override
  public int size() {
    return devices.size();
  }
}
