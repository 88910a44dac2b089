package io.fleetpulse.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
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
 * Carries the control plane's entities' decisions to every node, one actor per node and kind of
 * entity. An entity hands its state after each change, and the state it recovered to, to {@link
 * Publish}; the value goes into Pekko Distributed Data (a last-writer-wins map per bucket of
 * entity ids, ordered by the value's revision rather than by a clock, written to a majority of
 * nodes) and every node's replicator tells this actor's followers what changed. Distributed Data
 * lives in the nodes' memory only: what a cluster that starts cold needs is the entities' (they
 * publish again when they recover) or a store beside it (the registry's).
 *
 * @param <T> the replicated value: an entity's state as the nodes use it
 */
public final class Replication<T> {

  /**
   * What is replicated, and how.
   *
   * @param name the Distributed Data keys' prefix; one per kind of entity
   * @param buckets how many maps the ids are spread over (Distributed Data sends a changed map whole)
   * @param id a value's entity id
   * @param revision a value's revision: of two values of one id, the higher wins
   * @param writeTimeout how long a change waits for a majority of nodes before it is left to gossip
   */
  public record Spec<T>(String name, int buckets, Function<T, String> id, ToLongFunction<T> revision,
      Duration writeTimeout) {

    Key<LWWMap<String, T>> key(String entityId) {
      return key(Math.floorMod(entityId.hashCode(), buckets));
    }

    private Key<LWWMap<String, T>> key(int bucket) {
      return LWWMapKey.create(name + "-" + bucket);
    }

    List<Key<LWWMap<String, T>>> keys() {
      List<Key<LWWMap<String, T>>> keys = new ArrayList<>(buckets);
      for (int bucket = 0; bucket < buckets; bucket++) {
        keys.add(key(bucket));
      }
      return keys;
    }
  }

  public sealed interface Command<T> permits Publish, Follow, Changed, Seed, Updated {}

  /** An entity's change, or the state an entity recovered to. */
  public record Publish<T>(T value) implements Command<T> {}

  /**
   * Hands every value this node learns from now on to {@code follower}, the current ones first
   * (Distributed Data tells a new subscriber what it holds). Called on this actor: it must not block.
   */
  public record Follow<T>(Consumer<T> follower) implements Command<T> {}

  private record Changed<T>(Replicator.SubscribeResponse<LWWMap<String, T>> response) implements Command<T> {}

  /** What this node held when {@code follower} joined, for it alone. */
  private record Seed<T>(Consumer<T> follower, Replicator.GetResponse<LWWMap<String, T>> response) implements Command<T> {}

  private record Updated<T>(T value, Replicator.UpdateResponse<LWWMap<String, T>> response) implements Command<T> {}

  private Replication() {}

  /**
   * @param follower what this node does with every value it learns (more may join by {@link Follow})
   * @param onPublish what this node does beside it with a value one of its entities publishes
   */
  public static <T> Behavior<Command<T>> create(Spec<T> spec, Consumer<T> follower, Consumer<T> onPublish) {
    return Behaviors.setup(context -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command<T>, LWWMap<String, T>> replicator) -> {
          List<Consumer<T>> followers = new ArrayList<>(List.of(follower));
          SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
          LWWRegister.Clock<T> byRevision = (current, value) -> spec.revision().applyAsLong(value);
          for (Key<LWWMap<String, T>> key : spec.keys()) {
            replicator.subscribe(key, Changed::new);
          }
          return running(context, replicator, spec, self, byRevision, followers, onPublish);
        }));
  }

  @SuppressWarnings("unchecked")
  private static <T> Behavior<Command<T>> running(ActorContext<Command<T>> context,
      ReplicatorMessageAdapter<Command<T>, LWWMap<String, T>> replicator, Spec<T> spec, SelfUniqueAddress self,
      LWWRegister.Clock<T> byRevision, List<Consumer<T>> followers, Consumer<T> onPublish) {
    return Behaviors.receive((Class<Command<T>>) (Class<?>) Command.class)
        .onMessage(Publish.class, publish -> {
          T value = ((Publish<T>) publish).value();
          followers.forEach(f -> f.accept(value));
          onPublish.accept(value);
          String id = spec.id().apply(value);
          replicator.askUpdate(
              replyTo -> new Replicator.Update<>(spec.key(id), LWWMap.create(),
                  new Replicator.WriteMajority(spec.writeTimeout()), replyTo,
                  map -> map.put(self, id, value, byRevision)),
              response -> new Updated<>(value, response));
          return Behaviors.same();
        })
        .onMessage(Follow.class, follow -> {
          Consumer<T> follower = ((Follow<T>) follow).follower();
          followers.add(follower);
          for (Key<LWWMap<String, T>> key : spec.keys()) {
            replicator.askGet(replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
                response -> new Seed<>(follower, response));
          }
          return Behaviors.same();
        })
        .onMessage(Seed.class, seed -> {
          Seed<T> held = (Seed<T>) seed;
          if (held.response() instanceof Replicator.GetSuccess<LWWMap<String, T>> success) {
            success.get(success.key()).getEntries().values().forEach(held.follower());
          }
          return Behaviors.same();
        })
        .onMessage(Changed.class, changed -> {
          if (((Changed<T>) changed).response() instanceof Replicator.Changed<LWWMap<String, T>> update) {
            for (T value : update.get(update.key()).getEntries().values()) {
              followers.forEach(f -> f.accept(value));
            }
          }
          return Behaviors.same();
        })
        .onMessage(Updated.class, updated -> {
          Updated<T> result = (Updated<T>) updated;
          if (!(result.response() instanceof Replicator.UpdateSuccess)) {
            // In effect here; gossip carries it to the others (a majority did not answer in time).
            context.getLog().info("{} of {} not confirmed by a majority of nodes within {}: {}", spec.name(),
                spec.id().apply(result.value()), spec.writeTimeout(), result.response());
          }
          return Behaviors.same();
        })
        .build();
  }
}
