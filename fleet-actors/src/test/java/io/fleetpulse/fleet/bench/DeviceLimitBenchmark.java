package io.fleetpulse.fleet.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.device.DeviceActor;
import io.fleetpulse.fleet.device.Inference;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Passivation when memory is short: {@code devices} devices of a profile, all active (each sends
 * one message per round, round after round), through Cluster Sharding on a one-node cluster with
 * {@code active-entity-limit} set to {@code limit} (0: none). Reports per round the messages per
 * second, then the device actors still resident and the heap retained (used heap after full
 * collections, minus the same before). With a limit below the active devices, every message of a
 * passivated device restarts its actor (from nothing here: no storage; a node also reads its
 * stored telemetry back), so the figure shows what bounding memory costs in throughput.
 *
 * <p>Arguments: devices (default 150000), limit (default 50000), rounds (default 3), profile
 * (default rotating-machine). Run with fleet-actors/bench/device-limit.sh.
 */
public final class DeviceLimitBenchmark {

  private static final int IN_FLIGHT = 2000;

  public static void main(String[] args) throws Exception {
    int devices = Integer.parseInt(args.length > 0 ? args[0] : "150000");
    int limit = Integer.parseInt(args.length > 1 ? args[1] : "50000");
    int rounds = Integer.parseInt(args.length > 2 ? args[2] : "3");
    String profileName = args.length > 3 ? args[3] : "rotating-machine";
    Config config = ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = cluster",
            "pekko.loglevel = WARNING",
            "pekko.remote.artery.canonical.hostname = 127.0.0.1",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.roles = [device]",
            "pekko.coordinated-shutdown.run-by-actor-system-terminate = off",
            "fleetpulse.fleet.device.active-entity-limit = " + limit))
        .withFallback(ConfigFactory.load());
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    DeviceProfile profile = profiles.get(profileName);
    FleetSettings settings = FleetSettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "limit", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    while (!cluster.selfMember().status().equals(org.apache.pekko.cluster.MemberStatus.up())) {
      Thread.sleep(100);
    }
    Devices fleet = Devices.init(system, profiles, settings, system.ignoreRef(), Clock.systemUTC(), Inference.NONE);
    long baseline = DeviceCapacityBenchmark.retainedHeap();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    long now = System.currentTimeMillis() - rounds * 1000L;
    for (int round = 1; round <= rounds; round++) {
      long started = System.nanoTime();
      for (int i = 0; i < devices; i++) {
        DeviceIdentity identity = new DeviceIdentity(String.format(Locale.ROOT, "dev-%07d", i), "plant-1", profileName);
        long at = now + round * 1000L;
        List<Sample> samples = new ArrayList<>();
        for (var metric : profile.metrics()) {
          samples.add(new Sample(metric.name(), at, metric.min() + (metric.max() - metric.min()) * 0.05));
        }
        inFlight.acquire();
        fleet.deliver(new Telemetry(identity, round, at, samples, at)).whenComplete((outcome, failure) -> inFlight.release());
      }
      inFlight.acquire(IN_FLIGHT);
      inFlight.release(IN_FLIGHT);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "round %d: %d messages in %.1f s, %.0f msg/s%n", round, devices, seconds, devices / seconds);
    }
    int resident = residentDevices(system);
    long retained = DeviceCapacityBenchmark.retainedHeap() - baseline;
    System.out.printf(Locale.ROOT, "%d active %s devices, active-entity-limit %d: %d device actors resident, %,d bytes retained"
            + " (%,d per resident actor, sharding's bookkeeping included); max heap %,d MB; %d cores%n",
        devices, profileName, limit, resident, retained, resident == 0 ? 0 : retained / resident,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int residentDevices(ActorSystem<Void> system) throws Exception {
    var reply = org.apache.pekko.actor.typed.javadsl.AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
        ClusterSharding.get(system).shardState().narrow(),
        replyTo -> new GetShardRegionState(DeviceActor.ENTITY_TYPE_KEY, replyTo),
        Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get();
    return reply.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }
}
