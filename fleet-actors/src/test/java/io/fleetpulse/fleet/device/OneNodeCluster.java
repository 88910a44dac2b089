package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A throwaway one-node cluster with the device role, for tests of device actors behind Cluster Sharding. */
final class OneNodeCluster {

  private OneNodeCluster() {}

  /** The cluster settings over the given test overrides and the defaults. */
  static Config config(String... overrides) {
    return ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = cluster",
            "pekko.remote.artery.canonical.hostname = 127.0.0.1",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.cluster.roles = [device]",
            // no graceful leave and hand-off when the test kit stops
            "pekko.coordinated-shutdown.run-by-actor-system-terminate = off",
            String.join("\n", overrides)))
        .withFallback(ConfigFactory.load());
  }

  /** A test kit whose node has joined itself and is up. */
  static ActorTestKit start(String name, Config config) {
    ActorTestKit testKit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
      return null;
    });
    return testKit;
  }

  /** The ids of the device actors running on the node now. */
  static Set<String> runningDevices(ActorTestKit testKit, TestProbe<ShardRegion.CurrentShardRegionState> regionStates) {
    ClusterSharding.get(testKit.system()).shardState()
        .tell(new GetShardRegionState(DeviceActor.ENTITY_TYPE_KEY, regionStates.ref()));
    return regionStates.receiveMessage().getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
