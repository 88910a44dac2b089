package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.typesafe.config.Config;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
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
 * Device actors behind Cluster Sharding on a one-node cluster, driven through the {@link Devices}
 * facade: the path the gateway takes. The passivation idle timeout is one second so the test can
 * watch an idle device being stopped and a later message starting it afresh.
 */
class DevicePassivationTest {

  private static final Config CONFIG = OneNodeCluster.config(
          "fleetpulse.fleet.device.passivation-idle-timeout = 1s",
          // passivation must come after a device went offline, so the profiles get short timeouts
          "fleetpulse.profiles.rotating-machine.inactivity-timeout = 500ms",
          "fleetpulse.profiles.environment-sensor.inactivity-timeout = 500ms",
          "fleetpulse.profiles.turbofan.inactivity-timeout = 500ms",
          "fleetpulse.profiles.univariate-signal.inactivity-timeout = 500ms");
  private static final long T0 = 1_700_000_000_000L;

  private static ActorTestKit testKit;
  private static TestProbe<FleetDirectory.Command> directory;
  private static Devices devices;

  @BeforeAll
  static void startOneNodeCluster() {
    testKit = OneNodeCluster.start("DevicePassivationTest", CONFIG);
    directory = testKit.createTestProbe(FleetDirectory.Command.class);
    FleetSettings settings = FleetSettings.fromConfig(CONFIG);
    assertThat(settings.device().passivationIdleTimeout()).isEqualTo(Duration.ofSeconds(1));
    devices = Devices.init(
        testKit.system(), DeviceProfiles.fromConfig(CONFIG), settings, directory.ref(), Clock.systemUTC(), Inference.NONE);
  }

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void counts_a_redelivery_once_and_starts_afresh_after_passivation() {
    DeviceIdentity pump = new DeviceIdentity("pump-passivated", "plant-a", "rotating-machine");

    assertThat(deliver(telemetry(pump, 1, 2.5))).isEqualTo(new IngestOutcome.Accepted("pump-passivated", 1));
    assertThat(deliver(telemetry(pump, 2, 3.5))).isEqualTo(new IngestOutcome.Accepted("pump-passivated", 2));
    assertThat(deliver(telemetry(pump, 1, 2.5))).isEqualTo(new IngestOutcome.Duplicate("pump-passivated", 1));
    devices.recordRejection(pump, RejectReason.VALUE_OUT_OF_RANGE);

    DeviceView before = devices.view("pump-passivated").toCompletableFuture().join().view();
    assertThat(before.accepted()).isEqualTo(2);
    assertThat(before.duplicates()).isEqualTo(1);
    assertThat(before.rejectsByReason()).containsExactly(entry("value.out-of-range", 1L));
    assertThat(before.metrics().get(0).last()).isEqualTo(3.5);
    assertThat(directory.receiveMessage())
        .isEqualTo(new FleetDirectory.DeviceStatusChanged("pump-passivated", "plant-a", true));

    assertThat(directory.receiveMessage(Duration.ofSeconds(3)))
        .as("the device goes offline before its actor is passivated")
        .isEqualTo(new FleetDirectory.DeviceStatusChanged("pump-passivated", "plant-a", false));

    TestProbe<ShardRegion.CurrentShardRegionState> regionStates =
        testKit.createTestProbe(ShardRegion.CurrentShardRegionState.class);
    assertThat(runningDevices(regionStates)).contains("pump-passivated");
    regionStates.awaitAssert(Duration.ofSeconds(6), Duration.ofMillis(200), () -> {
      assertThat(runningDevices(regionStates)).doesNotContain("pump-passivated");
      return null;
    });

    // The same message again: a fresh actor has forgotten it (state is in memory until persistence).
    assertThat(deliver(telemetry(pump, 1, 2.5))).isEqualTo(new IngestOutcome.Accepted("pump-passivated", 1));
    DeviceView after = devices.view("pump-passivated").toCompletableFuture().join().view();
    assertThat(after.accepted()).isEqualTo(1);
    assertThat(after.duplicates()).isZero();
    assertThat(after.rejectsByReason()).isEmpty();
    assertThat(after.metrics().get(0).last()).isEqualTo(2.5);
    assertThat(directory.receiveMessage())
        .as("the fresh actor reports the device online again")
        .isEqualTo(new FleetDirectory.DeviceStatusChanged("pump-passivated", "plant-a", true));
  }

  @Test
  void the_view_of_a_device_that_never_sent_anything_is_empty() {
    DeviceActor.ViewReply reply = devices.view("pump-silent").toCompletableFuture().join();

    assertThat(reply.deviceId()).isEqualTo("pump-silent");
    assertThat(reply.view()).isNull();
  }

  private static IngestOutcome deliver(Telemetry telemetry) {
    return devices.deliver(telemetry).toCompletableFuture().join();
  }

  private Set<String> runningDevices(TestProbe<ShardRegion.CurrentShardRegionState> regionStates) {
    return OneNodeCluster.runningDevices(testKit, regionStates);
  }

  private static Telemetry telemetry(DeviceIdentity device, long sequence, double vibration) {
    long timestamp = T0 + sequence * 1000;
    return new Telemetry(device, sequence, timestamp, List.of(new Sample("vibration", timestamp, vibration)), timestamp);
  }
}
