package io.fleetpulse.control.registry;

import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.registry.RegistryStore;
import io.fleetpulse.control.Replication;
import io.fleetpulse.gateway.registry.RegistryView;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Carries the device entities' decisions to every node's {@link RegistryView} ({@link
 * Replication} over {@value #BUCKETS} buckets of device ids) and into the {@link RegistryStore},
 * which a cluster that starts cold loads its views from.
 */
final class RegistryReplication {

  static final int BUCKETS = 1024;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryReplication.class);

  private RegistryReplication() {}

  static Replication.Spec<RegistryEntry> spec(Duration writeTimeout) {
    return new Replication.Spec<>("device-registry", BUCKETS, RegistryEntry::deviceId, RegistryEntry::revision,
        writeTimeout);
  }

  static Behavior<Replication.Command<RegistryEntry>> create(RegistryView view, RegistryStore store,
      Duration writeTimeout) {
    return Replication.create(spec(writeTimeout), view::apply, entry -> store.save(entry).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warn("registry entry of {} (revision {}) not stored for a cold start: {}", entry.deviceId(),
            entry.revision(), failure.toString());
      }
    }));
  }
}
