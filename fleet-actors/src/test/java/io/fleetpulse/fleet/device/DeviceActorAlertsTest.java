package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.profile.AlertRule;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryHistory;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts through the device actor: rules raise them from readings, operators acknowledge and
 * clear them through commands answered once the change is stored, silence raises the offline
 * alert and the next message resolves it, and a restarted actor continues the stored alerts
 * instead of raising duplicates. Manual time and a {@link MutableClock}.
 */
class DeviceActorAlertsTest {

  private static final Duration INACTIVITY = Duration.ofMillis(300);
  private static final DeviceProfile PROFILE = new DeviceProfile("alerting-pump", "pump with alert rules",
      List.of(new MetricSpec("bearing-temperature", "Cel", -40, 200)), INACTIVITY, NetworkSlice.URLLC, 8, List.of(),
      List.of(new AlertRule("bearing-overheat", AlertRule.Source.METRIC, "bearing-temperature", 0,
          AlertRule.Direction.ABOVE, Map.of(AlertSeverity.CRITICAL, 110.0, AlertSeverity.MAJOR, 95.0), 80, Duration.ZERO)),
      AlertSeverity.MAJOR);
  private static final DeviceProfiles PROFILES = DeviceProfiles.of(List.of(PROFILE));
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
  private InMemoryAlertStore store;
  private TestProbe<IngestOutcome> outcomes;
  private TestProbe<AlertReply> replies;

  @AfterAll
  static void shutDown() {
    TEST_KIT.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    deviceId = "pump-" + ++devices;
    identity = new DeviceIdentity(deviceId, "plant-a", PROFILE.name());
    clock = new MutableClock(T0);
    store = new InMemoryAlertStore();
    outcomes = TEST_KIT.createTestProbe(IngestOutcome.class);
    replies = TEST_KIT.createTestProbe();
  }

  private ActorRef<DeviceActor.Command> spawn() {
    return spawn(TelemetryHistory.NONE);
  }

  private ActorRef<DeviceActor.Command> spawn(TelemetryHistory history) {
    TestProbe<FleetDirectory.Command> directory = TEST_KIT.createTestProbe(FleetDirectory.Command.class);
    return TEST_KIT.spawn(DeviceActor.create(deviceId, PROFILES, SETTINGS, directory.ref(), clock, Inference.NONE,
        new DeviceStorage(history, DeviceRecords.NONE, store)));
  }

  /** Stored telemetry: messages 1..n at the given temperatures, one second apart. */
  private TelemetryHistory stored(double... temperatures) {
    List<Telemetry> messages = new ArrayList<>();
    for (int i = 0; i < temperatures.length; i++) {
      long at = T0 + (i + 1) * 1000L;
      messages.add(new Telemetry(identity, i + 1, at, List.of(new Sample("bearing-temperature", at, temperatures[i])), at));
    }
    return (device, since, min, max) -> CompletableFuture.completedFuture(messages);
  }

  @Test
  void readings_stored_that_no_actor_saw_raise_their_alert_when_the_actor_recovers() {
    // Stored, but never applied by an actor (they arrived while it was recovering, or it crashed).
    ActorRef<DeviceActor.Command> device = spawn(stored(70, 100, 101));
    ingest(device, 4, 102);

    List<Alert> open = open(device);
    assertThat(open).singleElement().satisfies(alert -> {
      assertThat(alert.type()).isEqualTo("bearing-overheat");
      assertThat(alert.severity()).isEqualTo(AlertSeverity.MAJOR);
    });
    assertThat(store.saves).extracting(change -> change.alert().alertId()).containsOnly(open.get(0).alertId());
  }

  @Test
  void a_stored_active_alert_whose_condition_ended_meanwhile_is_resolved_when_the_actor_recovers() {
    Alert stored = Alert.raised(new UUID(3, 3), deviceId, "plant-a", "bearing-overheat", AlertSeverity.MAJOR, "hot",
        T0, 100, 1);
    store.save(new AlertChange(stored, null));
    ActorRef<DeviceActor.Command> device = spawn(stored(100, 75));
    ingest(device, 3, 74);

    assertThat(open(device)).extracting(Alert::status).containsExactly(AlertStatus.CLEARED_UNACK);
    assertThat(store.latest(stored.alertId()).clearedBy()).isEqualTo(Alert.SYSTEM);
  }

  private void ingest(ActorRef<DeviceActor.Command> device, long sequence, double temperature) {
    long at = T0 + sequence * 1000;
    device.tell(new DeviceActor.Ingest(new Telemetry(identity, sequence, at,
        List.of(new Sample("bearing-temperature", at, temperature)), clock.millis()), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isInstanceOf(IngestOutcome.Accepted.class);
  }

  private List<Alert> open(ActorRef<DeviceActor.Command> device) {
    TestProbe<DeviceActor.AlertsReply> probe = TEST_KIT.createTestProbe();
    device.tell(new DeviceActor.GetAlerts(probe.ref()));
    return probe.receiveMessage().open();
  }

  @Test
  void a_sustained_overheat_raises_one_alert_that_an_operator_acknowledges_and_the_cooldown_clears() {
    ActorRef<DeviceActor.Command> device = spawn();
    ingest(device, 1, 70);
    ingest(device, 2, 100);
    ingest(device, 3, 101);
    ingest(device, 4, 115);

    List<Alert> open = open(device);
    assertThat(open).singleElement().satisfies(alert -> {
      assertThat(alert.type()).isEqualTo("bearing-overheat");
      assertThat(alert.severity()).isEqualTo(AlertSeverity.CRITICAL); // escalated at 115
      assertThat(alert.status()).isEqualTo(AlertStatus.ACTIVE_UNACK);
      assertThat(alert.site()).isEqualTo("plant-a");
    });
    UUID alertId = open.get(0).alertId();
    assertThat(store.latest(alertId).severity()).isEqualTo(AlertSeverity.CRITICAL);

    device.tell(new DeviceActor.AcknowledgeAlert(alertId, "ada", "checking the bearing", replies.ref()));
    Alert acknowledged = ((AlertReply.Changed) replies.receiveMessage()).alert();
    assertThat(acknowledged.status()).isEqualTo(AlertStatus.ACTIVE_ACK);
    assertThat(store.latest(alertId).acknowledgedBy()).isEqualTo("ada");

    device.tell(new DeviceActor.AcknowledgeAlert(alertId, "bob", null, replies.ref()));
    assertThat(replies.receiveMessage()).isInstanceOfSatisfying(AlertReply.Refused.class,
        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ALERT_ALREADY_ACKNOWLEDGED));

    ingest(device, 5, 79);
    assertThat(store.latest(alertId).status()).isEqualTo(AlertStatus.CLEARED_ACK);
    assertThat(store.latest(alertId).clearedBy()).isEqualTo(Alert.SYSTEM);
    assertThat(open(device)).isEmpty();
  }

  @Test
  void a_silent_device_gets_an_offline_alert_that_its_next_message_resolves() {
    ActorRef<DeviceActor.Command> device = spawn();
    ingest(device, 1, 50);

    clock.advance(INACTIVITY.toMillis() + 50);
    MANUAL_TIME.timePasses(INACTIVITY.plusMillis(50));
    List<Alert> open = open(device);
    assertThat(open).singleElement().satisfies(alert -> {
      assertThat(alert.type()).isEqualTo(DeviceProfile.OFFLINE_ALERT);
      assertThat(alert.severity()).isEqualTo(AlertSeverity.MAJOR);
      assertThat(alert.message()).startsWith("no message for 0 s");
    });

    ingest(device, 2, 50);
    Alert resolved = store.latest(open.get(0).alertId());
    assertThat(resolved.status()).isEqualTo(AlertStatus.CLEARED_UNACK);
    assertThat(resolved.note()).as("the system says why it cleared").isEqualTo("the device sent a message");
    assertThat(open(device)).extracting(Alert::status).containsExactly(AlertStatus.CLEARED_UNACK);
  }

  @Test
  void a_restarted_actor_continues_the_stored_alert_instead_of_raising_a_second_one() {
    ActorRef<DeviceActor.Command> first = spawn();
    ingest(first, 1, 100);
    UUID alertId = open(first).get(0).alertId();
    TEST_KIT.stop(first);

    ActorRef<DeviceActor.Command> second = spawn();
    // An operator's command needs only the alerts: answered before any telemetry arrives.
    assertThat(open(second)).extracting(Alert::alertId).containsExactly(alertId);
    // The rule has no history (no stored telemetry here): it raises again, the actor updates.
    ingest(second, 2, 102);

    assertThat(open(second)).singleElement().satisfies(alert -> {
      assertThat(alert.alertId()).isEqualTo(alertId);
      assertThat(alert.triggerCount()).isEqualTo(2);
      assertThat(alert.revision()).isEqualTo(1);
    });
    assertThat(store.saves).extracting(change -> change.alert().alertId()).containsOnly(alertId);
  }

  @Test
  void refuses_an_unknown_alert_with_its_code() {
    ActorRef<DeviceActor.Command> device = spawn();
    device.tell(new DeviceActor.ClearAlert(new UUID(1, 2), "ada", null, replies.ref()));
    assertThat(replies.receiveMessage()).isInstanceOfSatisfying(AlertReply.Refused.class,
        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ALERT_UNKNOWN));
  }

  /** Keeps the highest revision of each alert, as the Cassandra tables do. */
  static final class InMemoryAlertStore implements AlertStore {
    final Map<UUID, Alert> alerts = new ConcurrentHashMap<>();
    final List<AlertChange> saves = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<List<Alert>> open(String deviceId) {
      List<Alert> open = new ArrayList<>();
      alerts.values().stream().filter(alert -> alert.deviceId().equals(deviceId) && alert.status() != AlertStatus.CLEARED_ACK)
          .forEach(open::add);
      return CompletableFuture.completedFuture(open);
    }

    @Override
    public CompletionStage<Void> save(AlertChange change) {
      saves.add(change);
      alerts.merge(change.alert().alertId(), change.alert(),
          (before, after) -> after.revision() >= before.revision() ? after : before);
      return CompletableFuture.completedFuture(null);
    }

    Alert latest(UUID alertId) {
      return alerts.get(alertId);
    }
  }
}
