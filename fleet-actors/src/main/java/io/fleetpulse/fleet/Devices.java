package io.fleetpulse.fleet;

import io.fleetpulse.api.Stages;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetrySink;
import io.fleetpulse.fleet.device.DeviceActor;
import io.fleetpulse.fleet.device.DeviceStorage;
import io.fleetpulse.fleet.device.Inference;
import io.fleetpulse.fleet.directory.FleetDirectory;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The thin facade through which the rest of the node talks to device actors: it starts the
 * sharding region and turns calls into messages to the right entity, wherever in the cluster it
 * lives. As a {@link TelemetrySink} it is what the gateway delivers to.
 */
public final class Devices implements TelemetrySink {

  private final ClusterSharding sharding;
  private final FleetSettings settings;

  private Devices(ClusterSharding sharding, FleetSettings settings) {
    this.sharding = sharding;
    this.settings = settings;
  }

  /** Starts the device region on this node, without storage, and returns the facade. */
  public static Devices init(
      ActorSystem<?> system, DeviceProfiles profiles, FleetSettings settings,
      ActorRef<FleetDirectory.Command> directory, Clock clock, Inference inference) {
    return init(system, profiles, settings, directory, clock, inference, DeviceStorage.NONE);
  }

  /** Starts the device region on this node and returns the facade; actors recover from {@code storage}. */
  public static Devices init(
      ActorSystem<?> system, DeviceProfiles profiles, FleetSettings settings,
      ActorRef<FleetDirectory.Command> directory, Clock clock, Inference inference, DeviceStorage storage) {
    for (var profile : profiles.all()) {
      // A passivated actor cannot report its device offline: it must have gone offline before.
      // Edge gateways and alert consumers report nothing and have no actor.
      if (profile.role() == io.fleetpulse.api.profile.ClientRole.DEVICE
          && profile.inactivityTimeout().compareTo(settings.device().passivationIdleTimeout()) >= 0) {
        throw new IllegalArgumentException(
            "fleetpulse.fleet.device.passivation-idle-timeout (" + settings.device().passivationIdleTimeout()
                + ") must exceed the inactivity timeout of profile '" + profile.name() + "' (" + profile.inactivityTimeout() + ")");
      }
    }
    ClusterSharding sharding = ClusterSharding.get(system);
    ClusterShardingSettings shardingSettings = ClusterShardingSettings.create(system);
    var passivation = shardingSettings.passivationStrategySettings()
        .withIdleEntityPassivation(settings.device().passivationIdleTimeout());
    if (settings.device().activeEntityLimit() > 0) {
      // Memory is short when more devices are active than the heap holds: the least recently used go.
      passivation = passivation.withActiveEntityLimit(settings.device().activeEntityLimit())
          .withLeastRecentlyUsedReplacement();
    }
    shardingSettings = shardingSettings.withPassivationStrategy(passivation);
    Entity<DeviceActor.Command, org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<DeviceActor.Command>> entity =
        Entity.of(
                DeviceActor.ENTITY_TYPE_KEY,
                context -> DeviceActor.create(
                    context.getEntityId(), profiles, settings.device(), directory, clock, inference, storage))
            .withSettings(shardingSettings)
            // Not a PoisonPill: a device actor stops once its alert changes are stored (see DeviceActor.Stop).
            .withStopMessage(DeviceActor.stopMessage());
    // Nodes without the role run a proxy: they route to device actors but host none.
    sharding.init(settings.device().role().isEmpty() ? entity : entity.withRole(settings.device().role()));
    return new Devices(sharding, settings);
  }

  @Override
  public CompletionStage<IngestOutcome> deliver(Telemetry telemetry) {
    return Stages.plain(sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, telemetry.deviceId())
        .ask(replyTo -> new DeviceActor.Ingest(telemetry, replyTo), settings.device().askTimeout()));
  }

  @Override
  public void recordRejection(DeviceIdentity device, RejectReason reason) {
    sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, device.deviceId())
        .tell(new DeviceActor.RecordRejection(device, reason));
  }

  /** The device's current state; starts its actor if it was passivated. */
  public CompletionStage<DeviceActor.ViewReply> view(String deviceId) {
    return Stages.plain(sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, deviceId)
        .ask(DeviceActor.GetView::new, settings.device().askTimeout()));
  }

  /** The device's open alerts; starts its actor (reading its stored alerts) if needed. */
  public CompletionStage<DeviceActor.AlertsReply> alerts(String deviceId) {
    return Stages.plain(sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, deviceId)
        .ask(DeviceActor.GetAlerts::new, settings.device().askTimeout()));
  }

  /** An operator acknowledges an alert; answered once the change is stored, or with the refusal. */
  public CompletionStage<io.fleetpulse.api.alert.AlertReply> acknowledgeAlert(
      String deviceId, java.util.UUID alertId, String by, String note) {
    return Stages.plain(sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, deviceId)
        .ask(replyTo -> new DeviceActor.AcknowledgeAlert(alertId, by, note, replyTo), settings.device().askTimeout()));
  }

  /** An operator clears an alert; answered once the change is stored, or with the refusal. */
  public CompletionStage<io.fleetpulse.api.alert.AlertReply> clearAlert(
      String deviceId, java.util.UUID alertId, String by, String note) {
    return Stages.plain(sharding
        .entityRefFor(DeviceActor.ENTITY_TYPE_KEY, deviceId)
        .ask(replyTo -> new DeviceActor.ClearAlert(alertId, by, note, replyTo), settings.device().askTimeout()));
  }

  /**
   * Device actors running on this node, from its own shard region's state (no other node is
   * asked): what the node's {@code fleetpulse_devices_actors} gauge samples.
   */
  public CompletionStage<Integer> actorsOnThisNode(ActorSystem<?> system) {
    return Stages.plain(org.apache.pekko.actor.typed.javadsl.AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
            org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(sharding.shardState(),
        replyTo -> new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(DeviceActor.ENTITY_TYPE_KEY, replyTo),
        settings.device().askTimeout(), system.scheduler()))
        .thenApply(state -> state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum());
  }

  /** Device actors running per node (cluster address), from every shard region. */
  public CompletionStage<java.util.Map<String, Integer>> actorsPerNode(ActorSystem<?> system) {
    java.time.Duration timeout = settings.device().askTimeout();
    return Stages.plain(org.apache.pekko.actor.typed.javadsl.AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
            org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats>ask(sharding.shardState(),
        replyTo -> new org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats(DeviceActor.ENTITY_TYPE_KEY, timeout, replyTo),
        timeout.plusSeconds(1), system.scheduler()))
        .thenApply(stats -> {
          java.util.Map<String, Integer> perNode = new java.util.TreeMap<>();
          stats.getRegions().forEach((address, region) ->
              perNode.put(address.toString(), region.getStats().values().stream().mapToInt(count -> ((Number) count).intValue()).sum()));
          return perNode;
        });
  }
}
