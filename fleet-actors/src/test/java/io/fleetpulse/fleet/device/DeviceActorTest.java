package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryHistory;
import java.util.concurrent.CompletableFuture;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device actor on its own, without cluster or sharding. Time is manual: the inactivity timer
 * fires when the test says so, and the actor's clock is a {@link MutableClock}.
 */
class DeviceActorTest {

  private static final Duration INACTIVITY = Duration.ofMillis(300);
  private static final DeviceProfile PUMP_PROFILE = new DeviceProfile(
      "test-pump", "pump with a short inactivity timeout",
      List.of(new MetricSpec("vibration", "mm/s", 0, 100), new MetricSpec("pressure", "bar", 0, 400)),
      INACTIVITY, NetworkSlice.URLLC, 8, List.of());
  private static final DeviceProfiles PROFILES = DeviceProfiles.of(List.of(PUMP_PROFILE));
  private static final FleetSettings.Device SETTINGS = FleetSettings.fromConfig(ConfigFactory.load()).device();
  private static final long T0 = 1_700_000_000_000L;

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      ManualTime.config()
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
          .withFallback(ConfigFactory.load()));
  private static final ManualTime MANUAL_TIME = ManualTime.get(TEST_KIT.system());

  private static int devices;

  private String deviceId;
  private DeviceIdentity identity;
  private MutableClock clock;
  private TestProbe<FleetDirectory.Command> directory;
  private TestProbe<IngestOutcome> outcomes;
  private TestProbe<DeviceActor.ViewReply> views;
  private ActorRef<DeviceActor.Command> device;

  @AfterAll
  static void shutDown() {
    TEST_KIT.shutdownTestKit();
  }

  @BeforeEach
  void spawnDevice() {
    deviceId = "pump-" + ++devices;
    identity = new DeviceIdentity(deviceId, "plant-a", "test-pump");
    clock = new MutableClock(T0);
    directory = TEST_KIT.createTestProbe(FleetDirectory.Command.class);
    outcomes = TEST_KIT.createTestProbe(IngestOutcome.class);
    views = TEST_KIT.createTestProbe(DeviceActor.ViewReply.class);
    device = TEST_KIT.spawn(DeviceActor.create(deviceId, PROFILES, SETTINGS, directory.ref(), clock, Inference.NONE), deviceId);
  }

  @Test
  void replies_accepted_to_a_new_message_and_duplicate_to_its_redelivery() {
    device.tell(new DeviceActor.Ingest(telemetry(1, 2.5), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted(deviceId, 1));

    device.tell(new DeviceActor.Ingest(telemetry(1, 2.5), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Duplicate(deviceId, 1));
  }

  @Test
  void replies_rejected_to_a_sequence_older_than_the_window() {
    ingest(telemetry(10_000, 1.0));

    device.tell(new DeviceActor.Ingest(telemetry(10_000 - SETTINGS.sequenceWindow(), 1.0), outcomes.ref()));

    assertThat(outcomes.receiveMessage()).isInstanceOfSatisfying(IngestOutcome.Rejected.class,
        rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.SEQUENCE_TOO_OLD));
    assertThat(view().rejectsByReason()).containsExactly(entry("sequence.too-old", 1L));
  }

  @Test
  void tells_the_directory_once_that_the_device_came_online_however_many_messages_follow() {
    for (long sequence = 1; sequence <= 4; sequence++) {
      ingest(telemetry(sequence, sequence));
    }

    assertThat(directory.receiveMessage())
        .isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", true));
    directory.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void the_view_reflects_counts_and_aggregates() {
    ingest(new Telemetry(identity, 1, T0, List.of(new Sample("vibration", T0, 2.0), new Sample("pressure", T0, 6.0)), T0));
    clock.advance(1000);
    ingest(telemetry(2, 4.0));
    ingest(telemetry(2, 4.0)); // a redelivery

    DeviceView view = view();

    assertThat(view.deviceId()).isEqualTo(deviceId);
    assertThat(view.site()).isEqualTo("plant-a");
    assertThat(view.online()).isTrue();
    assertThat(view.accepted()).isEqualTo(2);
    assertThat(view.duplicates()).isEqualTo(1);
    assertThat(view.highestSequence()).isEqualTo(2L);
    MetricAggregates.View vibration = view.metrics().get(0);
    assertThat(vibration.metric()).isEqualTo("vibration");
    assertThat(vibration.last()).isEqualTo(4.0);
    assertThat(vibration.windows().get(0).count()).isEqualTo(2);
    assertThat(vibration.windows().get(0).mean()).isEqualTo(3.0);
    assertThat(view.metrics().get(1).last()).isEqualTo(6.0);
    assertThat(view.recent()).hasSize(2);
    assertThat(view.recent().get(0).values()).containsExactly(entry("vibration", 2.0), entry("pressure", 6.0));
  }

  @Test
  void the_view_before_any_message_is_empty() {
    device.tell(new DeviceActor.GetView(views.ref()));

    DeviceActor.ViewReply reply = views.receiveMessage();
    assertThat(reply.deviceId()).isEqualTo(deviceId);
    assertThat(reply.view()).isNull();
  }

  @Test
  void a_rejection_recorded_by_the_gateway_shows_in_the_view() {
    device.tell(new DeviceActor.RecordRejection(identity, RejectReason.VALUE_OUT_OF_RANGE));
    device.tell(new DeviceActor.RecordRejection(identity, RejectReason.VALUE_OUT_OF_RANGE));

    DeviceView view = view();
    assertThat(view.rejectsByReason()).containsExactly(entry("value.out-of-range", 2L));
    assertThat(view.accepted()).isZero();
    assertThat(view.online()).isFalse();
    directory.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void goes_offline_after_the_profile_inactivity_timeout_and_online_again_with_the_next_message() {
    ingest(telemetry(1, 1.0));
    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", true));

    clock.advance(INACTIVITY.toMillis());
    MANUAL_TIME.timePasses(INACTIVITY);

    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", false));
    assertThat(view().online()).isFalse();

    ingest(telemetry(2, 1.0));

    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", true));
    assertThat(view().online()).isTrue();
  }

  @Test
  void stays_online_while_messages_arrive_within_the_timeout() {
    ingest(telemetry(1, 1.0));
    directory.receiveMessage(); // online

    clock.advance(200);
    ingest(telemetry(2, 1.0));
    clock.advance(100);
    MANUAL_TIME.timePasses(Duration.ofMillis(300)); // the first check finds only 100 ms of silence

    directory.expectNoMessage(Duration.ofMillis(200));
    assertThat(view().online()).isTrue();

    clock.advance(200);
    MANUAL_TIME.timePasses(Duration.ofMillis(200)); // the re-armed check: 300 ms since the last message

    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", false));
  }

  @Test
  void a_device_that_moves_site_while_online_is_reported_at_its_new_site() {
    ingest(telemetry(1, 1.0));
    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-a", true));

    DeviceIdentity moved = new DeviceIdentity(deviceId, "plant-b", "test-pump");
    ingest(new Telemetry(moved, 1, T0, List.of(new Sample("vibration", T0, 1.0)), T0));

    assertThat(directory.receiveMessage()).isEqualTo(new FleetDirectory.DeviceStatusChanged(deviceId, "plant-b", true));
    DeviceView view = view();
    assertThat(view.site()).isEqualTo("plant-b");
    assertThat(view.accepted()).as("a re-registered device starts afresh").isEqualTo(1);
  }

  @Test
  void a_restarted_device_rebuilds_its_state_from_stored_telemetry_before_it_answers() {
    List<Telemetry> stored = List.of(telemetry(1, 2.0), telemetry(2, 4.0), telemetry(3, 6.0));
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    TelemetryHistory history = (device, sinceMillis, minMessages, maxMessages) -> {
      asked.add(device.deviceId() + " since " + sinceMillis + " min " + minMessages + " max " + maxMessages);
      return CompletableFuture.completedFuture(stored);
    };
    ActorRef<DeviceActor.Command> restarted = TEST_KIT.spawn(DeviceActor.create(deviceId, PROFILES, SETTINGS,
        directory.ref(), clock, Inference.NONE, new DeviceStorage(history, seenRecorder(seen))));

    // The broker redelivers 3 (its acknowledgement died with the old node), then a new message.
    restarted.tell(new DeviceActor.Ingest(telemetry(3, 6.0), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted(deviceId, 3));
    restarted.tell(new DeviceActor.Ingest(telemetry(3, 6.0), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Duplicate(deviceId, 3));
    restarted.tell(new DeviceActor.Ingest(telemetry(4, 8.0), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted(deviceId, 4));

    restarted.tell(new DeviceActor.GetView(views.ref()));
    DeviceView view = views.receiveMessage().view();
    assertThat(view.recovered()).isEqualTo(3);
    assertThat(view.accepted()).isEqualTo(2);
    assertThat(view.duplicates()).isEqualTo(1);
    WindowedStatistics.Summary window = view.metrics().get(0).windows().get(0);
    assertThat(window.count()).as("2, 4, 6 from storage and 8 live, each once").isEqualTo(4);
    assertThat(window.mean()).isEqualTo(5.0);
    assertThat(asked).containsExactly(
        deviceId + " since " + (T0 - SETTINGS.recovery().lookback().toMillis())
            + " min " + PUMP_PROFILE.ringBufferSize() + " max " + SETTINGS.recovery().maxMessages());
    assertThat(seen).containsExactly(deviceId);
  }

  @Test
  void a_device_restarted_on_a_history_ending_in_a_huge_sequence_takes_its_counter_again_after_the_run() {
    clock.advance(-60_000);
    List<Telemetry> stored = new java.util.ArrayList<>();
    for (long sequence = 1; sequence <= 20; sequence++) {
      stored.add(telemetry(sequence, 1.0));
      clock.advance(1000);
    }
    stored.add(telemetry(Long.MAX_VALUE / 2, 1.0)); // a corrupted counter, stored just before the crash
    clock.advance(1000);
    TelemetryHistory history = (device, sinceMillis, minMessages, maxMessages) -> CompletableFuture.completedFuture(stored);
    ActorRef<DeviceActor.Command> restarted = TEST_KIT.spawn(DeviceActor.create(deviceId, PROFILES, SETTINGS,
        directory.ref(), clock, Inference.NONE, new DeviceStorage(history, DeviceRecords.NONE)));

    int restartAfter = SETTINGS.sequenceRestartAfter();
    for (long sequence = 21; sequence < 20 + restartAfter; sequence++) {
      restarted.tell(new DeviceActor.Ingest(telemetry(sequence, 2.0), outcomes.ref()));
      assertThat(outcomes.receiveMessage()).isInstanceOfSatisfying(IngestOutcome.Rejected.class,
          rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.SEQUENCE_TOO_OLD));
      clock.advance(1000);
    }
    for (long sequence = 20 + restartAfter; sequence < 25 + restartAfter; sequence++) {
      restarted.tell(new DeviceActor.Ingest(telemetry(sequence, 2.0), outcomes.ref()));
      assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted(deviceId, sequence));
      clock.advance(1000);
    }

    restarted.tell(new DeviceActor.GetView(views.ref()));
    DeviceView view = views.receiveMessage().view();
    assertThat(view.highestSequence()).isEqualTo(24L + restartAfter);
    assertThat(view.rejectsByReason()).containsExactly(entry("sequence.too-old", (long) restartAfter - 1));
  }

  @Test
  void while_storage_cannot_be_read_a_starting_device_holds_its_messages_and_retries() {
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    TelemetryHistory history = (device, sinceMillis, minMessages, maxMessages) -> reads.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("Cassandra unreachable"))
        : CompletableFuture.completedFuture(List.of(telemetry(1, 2.0)));
    ActorRef<DeviceActor.Command> restarted = TEST_KIT.spawn(DeviceActor.create(deviceId, PROFILES, SETTINGS,
        directory.ref(), clock, Inference.NONE, new DeviceStorage(history, DeviceRecords.NONE)));

    restarted.tell(new DeviceActor.Ingest(telemetry(1, 2.0), outcomes.ref()));
    restarted.tell(new DeviceActor.Ingest(telemetry(2, 3.0), outcomes.ref()));
    outcomes.expectNoMessage(Duration.ofMillis(200));
    assertThat(reads.get()).isEqualTo(1);

    MANUAL_TIME.timePasses(SETTINGS.recovery().retryMinBackoff());

    assertThat(outcomes.receiveMessage()).as("stored before the failed read: confirmed, not applied twice")
        .isEqualTo(new IngestOutcome.Accepted(deviceId, 1));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted(deviceId, 2));
    assertThat(reads.get()).isEqualTo(2);
    restarted.tell(new DeviceActor.GetView(views.ref()));
    assertThat(views.receiveMessage().view().metrics().get(0).windows().get(0).count()).isEqualTo(2);
  }

  private static DeviceRecords seenRecorder(List<String> seen) {
    return new DeviceRecords() {
      @Override
      public void deviceSeen(DeviceIdentity device, long atMillis) {
        seen.add(device.deviceId());
      }

      @Override
      public void rollup(DeviceIdentity device, MinuteRollup rollup) {}

      @Override
      public void prediction(DeviceIdentity device, PredictionRecord prediction) {}
    };
  }

  private Telemetry telemetry(long sequence, double vibration) {
    long timestamp = clock.millis();
    return new Telemetry(identity, sequence, timestamp, List.of(new Sample("vibration", timestamp, vibration)), timestamp);
  }

  /** Ingests and waits for the answer, so the actor has armed its timers before time moves. */
  private IngestOutcome ingest(Telemetry telemetry) {
    device.tell(new DeviceActor.Ingest(telemetry, outcomes.ref()));
    return outcomes.receiveMessage();
  }

  private DeviceView view() {
    device.tell(new DeviceActor.GetView(views.ref()));
    DeviceActor.ViewReply reply = views.receiveMessage();
    assertThat(reply.view()).isNotNull();
    return reply.view();
  }
}
