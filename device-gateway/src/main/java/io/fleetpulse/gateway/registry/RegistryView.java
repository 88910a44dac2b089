package io.fleetpulse.gateway.registry;

import io.fleetpulse.api.profile.ClientRole;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.gateway.GatewaySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * This node's view of the device registry, in memory, so the gateway answers every message
 * without a lookup elsewhere. The control plane decides (one entity per device, cluster-wide) and
 * feeds each node's view with {@link #apply}: of two entries for one device the higher revision
 * wins, whatever order they arrive in. A device the view does not know that matches an
 * auto-provisioning rule is taken at once, with the site its first topic names, and handed to
 * {@link #onAutoProvision} for the control plane to record; a decommissioned device is refused
 * and never provisioned again.
 */
public final class RegistryView implements DeviceRegistry {

  private final ConcurrentNavigableMap<String, RegistryEntry> entries = new ConcurrentSkipListMap<>();
  private final GatewaySettings.Registration settings;
  private final DeviceProfiles profiles;
  private volatile Consumer<DeviceRegistration> autoProvisioned = registration -> {};
  private final List<Consumer<RegistryEntry>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public RegistryView(GatewaySettings.Registration settings, DeviceProfiles profiles) {
    this.settings = settings;
    this.profiles = profiles;
    for (GatewaySettings.AutoProvisionRule rule : settings.autoProvision()) {
      profiles.get(rule.profile()); // fail at start, not on the first message
    }
  }

  /** Who records devices this view provisioned from their first message (the control plane). */
  public void onAutoProvision(Consumer<DeviceRegistration> recorder) {
    this.autoProvisioned = recorder;
  }

  /** Who is told of each entry the view takes (the broker's access control); called on the applying thread. */
  public void onChange(Consumer<RegistryEntry> listener) {
    changeListeners.add(listener);
  }

  /** Takes a decision of the control plane, unless the view already holds a newer one. */
  public void apply(RegistryEntry entry) {
    RegistryEntry held = entries.merge(entry.deviceId(), entry, (old, offered) -> offered.newerThan(old) ? offered : old);
    if (held == entry) {
      for (Consumer<RegistryEntry> listener : changeListeners) {
        listener.accept(entry);
      }
    }
  }

  /** The view's entry of the device, decommissioned ones included. */
  public Optional<RegistryEntry> entry(String deviceId) {
    return Optional.ofNullable(entries.get(deviceId));
  }

  @Override
  public Optional<DeviceRegistration> lookup(String deviceId, String site) {
    RegistryEntry known = entries.get(deviceId);
    if (known != null) {
      return registration(known);
    }
    return rule(deviceId).map(rule -> new DeviceRegistration(deviceId, site, rule.profile(), true));
  }

  private Optional<GatewaySettings.AutoProvisionRule> rule(String deviceId) {
    if (settings.required()) {
      return Optional.empty();
    }
    for (GatewaySettings.AutoProvisionRule rule : settings.autoProvision()) {
      if (rule.matches(deviceId)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<DeviceRegistration> resolve(String deviceId, String site) {
    RegistryEntry known = entries.get(deviceId);
    if (known != null) {
      return registration(known);
    }
    if (settings.required()) {
      return Optional.empty();
    }
    for (GatewaySettings.AutoProvisionRule rule : settings.autoProvision()) {
      if (rule.matches(deviceId)) {
        RegistryEntry provisioned = new RegistryEntry(deviceId, site, rule.profile(), true, false, 0, System.currentTimeMillis());
        RegistryEntry held = entries.putIfAbsent(deviceId, provisioned);
        if (held != null) {
          return registration(held);
        }
        DeviceRegistration registration = registration(provisioned).orElseThrow();
        autoProvisioned.accept(registration);
        return Optional.of(registration);
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<DeviceRegistration> find(String deviceId) {
    RegistryEntry entry = entries.get(deviceId);
    return entry == null ? Optional.empty() : registration(entry);
  }

  /** Registrations of {@code role} (devices: the default), in id order. */
  @Override
  public List<DeviceRegistration> list(String afterDeviceId, int limit) {
    return list(afterDeviceId, limit, ClientRole.DEVICE);
  }

  @Override
  public List<DeviceRegistration> list(String afterDeviceId, int limit, ClientRole role) {
    Map<String, RegistryEntry> tail = afterDeviceId == null ? entries : entries.tailMap(afterDeviceId, false);
    List<DeviceRegistration> page = new ArrayList<>(Math.min(limit, 1024));
    for (RegistryEntry entry : tail.values()) {
      if (page.size() >= limit) {
        break;
      }
      if (role(entry) == role) {
        registration(entry).ifPresent(page::add);
      }
    }
    return page;
  }

  /** Devices registered and not decommissioned (edge gateways and alert consumers not counted). */
  @Override
  public int size() {
    int size = 0;
    for (RegistryEntry entry : entries.values()) {
      if (!entry.decommissioned() && role(entry) == ClientRole.DEVICE) {
        size++;
      }
    }
    return size;
  }

  /** The role of the entry's profile; a profile this node does not know counts as a device's. */
  private ClientRole role(RegistryEntry entry) {
    return profiles.find(entry.profile()).map(DeviceProfile::role).orElse(ClientRole.DEVICE);
  }

  private static Optional<DeviceRegistration> registration(RegistryEntry entry) {
    return entry.decommissioned() ? Optional.empty()
        : Optional.of(new DeviceRegistration(entry.deviceId(), entry.site(), entry.profile(), entry.autoProvisioned()));
  }
}
