package io.fleetpulse.fleet.directory;

import io.fleetpulse.api.CborSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The fleet's roll-call: which devices exist at which site and which are online. Device actors
 * report only changes of their online status, never per message, so the directory's load is
 * proportional to devices coming and going, not to telemetry. One per cluster (a cluster
 * singleton); if it moves to another node it starts empty and refills as devices change status.
 *
 * <p>Replies: {@link GetOverview} gets a {@link FleetOverview}.
 */
public final class FleetDirectory extends AbstractBehavior<FleetDirectory.Command> {

  public sealed interface Command extends CborSerializable permits DeviceStatusChanged, GetOverview {}

  public record DeviceStatusChanged(String deviceId, String site, boolean online) implements Command {}

  public record GetOverview(ActorRef<FleetOverview> replyTo) implements Command {}

  public record FleetOverview(int devices, int online, List<SiteOverview> sites) implements CborSerializable {}

  public record SiteOverview(String site, int devices, int online) implements CborSerializable {}

  private record Entry(String site, boolean online) {}

  private final Map<String, Entry> devices = new HashMap<>();
  private final Map<String, int[]> sites = new TreeMap<>();
  private int onlineCount;

  /** Starts (or joins) the cluster-wide singleton and returns a proxy to it. */
  public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
    return ClusterSingleton.get(system).init(SingletonActor.of(create(), "fleet-directory"));
  }

  public static Behavior<Command> create() {
    return Behaviors.setup(FleetDirectory::new);
  }

  private FleetDirectory(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DeviceStatusChanged.class, this::onStatusChanged)
        .onMessage(GetOverview.class, this::onGetOverview)
        .build();
  }

  private Behavior<Command> onStatusChanged(DeviceStatusChanged change) {
    Entry previous = devices.put(change.deviceId(), new Entry(change.site(), change.online()));
    if (previous != null) {
      int[] counts = sites.get(previous.site());
      counts[0]--;
      if (previous.online()) {
        counts[1]--;
        onlineCount--;
      }
    }
    int[] counts = sites.computeIfAbsent(change.site(), site -> new int[2]);
    counts[0]++;
    if (change.online()) {
      counts[1]++;
      onlineCount++;
    }
    sites.values().removeIf(c -> c[0] == 0);
    return this;
  }

  private Behavior<Command> onGetOverview(GetOverview query) {
    List<SiteOverview> perSite = new ArrayList<>(sites.size());
    sites.forEach((site, counts) -> perSite.add(new SiteOverview(site, counts[0], counts[1])));
    query.replyTo().tell(new FleetOverview(devices.size(), onlineCount, List.copyOf(perSite)));
    return this;
  }
}
