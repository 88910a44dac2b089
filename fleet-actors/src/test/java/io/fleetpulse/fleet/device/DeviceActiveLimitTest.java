package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Memory is short: more devices are active than {@code active-entity-limit} allows on the node.
 * The least recently used device actors are passivated while their devices still speak, the node
 * keeps no more than the limit, and a passivated device's next message starts it again.
 */
class DeviceActiveLimitTest {

  private static final int LIMIT = 20;
  private static final int ACTIVE_DEVICES = 60;
  private static final Config CONFIG = OneNodeCluster.config(
          // few shards, so that the per-shard share of the limit is not rounded away
          "pekko.cluster.sharding.number-of-shards = 4",
          "fleetpulse.fleet.device.active-entity-limit = " + LIMIT);
  private static final long T0 = 1_700_000_000_000L;

  private static ActorTestKit testKit;
  private static Devices devices;

  @BeforeAll
  static void startOneNodeCluster() {
    testKit = OneNodeCluster.start("DeviceActiveLimitTest", CONFIG);
    FleetSettings settings = FleetSettings.fromConfig(CONFIG);
    assertThat(settings.device().activeEntityLimit()).isEqualTo(LIMIT);
    TestProbe<FleetDirectory.Command> directory = testKit.createTestProbe(FleetDirectory.Command.class);
    devices = Devices.init(
        testKit.system(), DeviceProfiles.fromConfig(CONFIG), settings, directory.ref(), Clock.systemUTC(), Inference.NONE);
  }

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void keeps_at_most_the_limit_of_device_actors_and_restarts_a_passivated_one_on_its_next_message() {
    for (int round = 1; round <= 2; round++) {
      for (int i = 0; i < ACTIVE_DEVICES; i++) {
        assertThat(deliver(pump(i), round)).isInstanceOf(IngestOutcome.Accepted.class);
      }
    }
    TestProbe<ShardRegion.CurrentShardRegionState> regionStates =
        testKit.createTestProbe(ShardRegion.CurrentShardRegionState.class);
    regionStates.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(200), () -> {
      assertThat(runningDevices(regionStates)).hasSizeLessThanOrEqualTo(LIMIT);
      return null;
    });
    Set<String> running = runningDevices(regionStates);
    assertThat(running).as("the least recently used went first").doesNotContain("pump-0").contains("pump-" + (ACTIVE_DEVICES - 1));

    // pump-0's actor was passivated with its state: its next message starts a fresh one (with
    // storage it would rebuild from the stored telemetry), which accepts it as the first it knows.
    assertThat(deliver(pump(0), 3)).isEqualTo(new IngestOutcome.Accepted("pump-0", 3));
    DeviceView view = devices.view("pump-0").toCompletableFuture().join().view();
    assertThat(view.accepted()).isEqualTo(1);
    // Starting pump-0 again passivates the least recently used one, asynchronously: the region may
    // list the limit plus one until that actor has stopped.
    regionStates.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(200), () -> {
      assertThat(runningDevices(regionStates)).contains("pump-0").hasSizeLessThanOrEqualTo(LIMIT);
      return null;
    });
  }

  private static DeviceIdentity pump(int index) {
    return new DeviceIdentity("pump-" + index, "plant-a", "rotating-machine");
  }

  private static IngestOutcome deliver(DeviceIdentity device, long sequence) {
    long timestamp = T0 + sequence * 1000;
    Telemetry telemetry = new Telemetry(device, sequence, timestamp, List.of(new Sample("vibration", timestamp, 2.0)), timestamp);
    return devices.deliver(telemetry).toCompletableFuture().join();
  }

  private Set<String> runningDevices(TestProbe<ShardRegion.CurrentShardRegionState> regionStates) {
    return OneNodeCluster.runningDevices(testKit, regionStates);
  }
}
