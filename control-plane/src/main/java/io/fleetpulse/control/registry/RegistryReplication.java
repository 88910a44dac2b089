package io.fleetpulse.control.registry;

import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.registry.RegistryStore;
import io.fleetpulse.gateway.registry.RegistryView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * Carries the device entities' decisions to every node's {@link RegistryView}, one actor per node.
 * An entity's change goes into Pekko Distributed Data (a last-writer-wins map per bucket of device
 * ids, {@value #BUCKETS} buckets, ordered by the entry's revision rather than by a clock, written
 * to a majority of nodes) and into the {@link RegistryStore}; every node subscribes to the buckets
 * and applies what changes to its view. The store is for a cluster that starts cold: Distributed
 * Data lives in the nodes' memory only.
 */
public final class RegistryReplication {

  static final int BUCKETS = 1024;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryReplication.class);
  /** Of two entries for one device, the higher revision wins; never the later wall clock. */
  private static final LWWRegister.Clock<RegistryEntry> BY_REVISION = (current, entry) -> entry.revision();

  public sealed interface Command permits Publish, Changed, Updated {}

  /** An entity's change, or the state an entity recovered to. */
  public record Publish(RegistryEntry entry) implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, RegistryEntry>> response) implements Command {}

  private record Updated(RegistryEntry entry, Replicator.UpdateResponse<LWWMap<String, RegistryEntry>> response)
      implements Command {}

  private RegistryReplication() {}

  static Key<LWWMap<String, RegistryEntry>> key(String deviceId) {
    return key(Math.floorMod(deviceId.hashCode(), BUCKETS));
  }

  private static Key<LWWMap<String, RegistryEntry>> key(int bucket) {
    return LWWMapKey.create("device-registry-" + bucket);
  }

  static List<Key<LWWMap<String, RegistryEntry>>> keys() {
    List<Key<LWWMap<String, RegistryEntry>>> keys = new ArrayList<>(BUCKETS);
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      keys.add(key(bucket));
    }
    return keys;
  }

  /** @param writeTimeout how long a change waits for a majority of nodes before it is left to gossip */
  public static Behavior<Command> create(RegistryView view, RegistryStore store, Duration writeTimeout) {
    return Behaviors.setup(context -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, RegistryEntry>> replicator) -> {
          SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
          for (Key<LWWMap<String, RegistryEntry>> key : keys()) {
            replicator.subscribe(key, Changed::new);
          }
          return Behaviors.receive(Command.class)
              .onMessage(Publish.class, publish -> {
                RegistryEntry entry = publish.entry();
                view.apply(entry);
                store.save(entry).whenComplete((done, failure) -> {
                  if (failure != null) {
                    LOG.warn("registry entry of {} (revision {}) not stored for a cold start: {}", entry.deviceId(),
                        entry.revision(), failure.toString());
                  }
                });
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(key(entry.deviceId()), LWWMap.create(),
                        new Replicator.WriteMajority(writeTimeout), replyTo,
                        map -> map.put(self, entry.deviceId(), entry, BY_REVISION)),
                    response -> new Updated(entry, response));
                return Behaviors.same();
              })
              .onMessage(Changed.class, changed -> {
                if (changed.response() instanceof Replicator.Changed<LWWMap<String, RegistryEntry>> update) {
                  update.get(update.key()).getEntries().values().forEach(view::apply);
                }
                return Behaviors.same();
              })
              .onMessage(Updated.class, updated -> {
                if (!(updated.response() instanceof Replicator.UpdateSuccess)) {
                  // Applied here; gossip carries it to the others (a majority did not answer in time).
                  context.getLog().info("registry entry of {} not confirmed by a majority of nodes within {}: {}",
                      updated.entry().deviceId(), writeTimeout, updated.response());
                }
                return Behaviors.same();
              })
              .build();
        }));
  }
}
