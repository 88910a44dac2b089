package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetryStore;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.device.DeviceStorage;
import io.fleetpulse.fleet.device.Inference;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.persistence.FleetStorage;
import io.fleetpulse.persistence.PersistenceSettings;
import io.fleetpulse.persistence.alerts.CassandraAlertStore;
import io.fleetpulse.persistence.telemetry.CassandraTelemetryHistory;
import io.fleetpulse.persistence.telemetry.CassandraTelemetryStore;
import io.fleetpulse.testkit.SharedCassandra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two actors for one device, one after the other: the first raises an alert whose write to
 * Cassandra is slow, then sharding stops it (here: the node's active-entity limit of one, as for
 * a passivation or a shard moving to another node) and the device's next message starts a second
 * actor, which reads the device's open alerts back. The device must end with one open alert of
 * the type, not one per actor. Real Cassandra, the node's storage adapters, the alert writes held
 * back by a delay in front of the real store.
 */
class AlertHandoffIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  private static final Duration SAVE_DELAY = Duration.ofSeconds(2);
  private static final String TYPE = "vibration-high";
  private static final DeviceIdentity PUMP = new DeviceIdentity("rm-handoff-1", "plant-a", "rotating-machine");
  private static final DeviceIdentity OTHER = new DeviceIdentity("rm-handoff-2", "plant-a", "rotating-machine");

  /** The real alert store behind a slow link: every save reaches Cassandra {@link #SAVE_DELAY} late. */
  private static final class SlowSaves implements AlertStore {
    private final AlertStore store;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger saved = new AtomicInteger();

    SlowSaves(AlertStore store) {
      this.store = store;
    }

    @Override
    public CompletionStage<List<Alert>> open(String deviceId) {
      return store.open(deviceId);
    }

    @Override
    public CompletionStage<Void> save(AlertChange change) {
      inFlight.incrementAndGet();
      return CompletableFuture.runAsync(() -> {},
              CompletableFuture.delayedExecutor(SAVE_DELAY.toMillis(), TimeUnit.MILLISECONDS))
          .thenCompose(ignored -> store.save(change))
          .whenComplete((done, failure) -> {
            saved.incrementAndGet();
            inFlight.decrementAndGet();
          });
    }
  }

  @Test
  void the_next_actor_of_a_device_takes_over_the_alert_the_previous_one_raised_and_raises_no_second() throws Exception {
    String keyspace = CASSANDRA.emptyKeyspace();
    Config config = CASSANDRA.nodeConfig(keyspace).withFallback(ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = cluster",
            "pekko.remote.artery.canonical.hostname = 127.0.0.1",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.roles = [device]",
            "pekko.coordinated-shutdown.run-by-actor-system-terminate = off",
            "pekko.coordinated-shutdown.exit-jvm = off", // on in the node's application.conf
            // one shard and room for one device actor: starting a second device's actor stops the first
            "pekko.cluster.sharding.number-of-shards = 1",
            "fleetpulse.fleet.device.active-entity-limit = 1")))
        .withFallback(ConfigFactory.load());
    ActorTestKit testKit = ActorTestKit.create("AlertHandoffIT", config);
    try (FleetStorage storage = FleetStorage.open(PersistenceSettings.fromConfig(config))) {
      Cluster cluster = Cluster.get(testKit.system());
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      TestProbe<Object> waiter = testKit.createTestProbe();
      waiter.awaitAssert(Duration.ofSeconds(10), () -> {
        assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
        return null;
      });
      SlowSaves alerts = new SlowSaves(new CassandraAlertStore(storage.records(), storage.alerts(), new SimpleMeterRegistry()));
      DeviceStorage deviceStorage = new DeviceStorage(
          new CassandraTelemetryHistory(storage.history(), Clock.systemUTC()), DeviceRecords.NONE, alerts);
      TestProbe<FleetDirectory.Command> directory = testKit.createTestProbe(FleetDirectory.Command.class);
      Devices devices = Devices.init(testKit.system(), DeviceProfiles.fromConfig(config), FleetSettings.fromConfig(config),
          directory.ref(), Clock.systemUTC(), Inference.NONE, deviceStorage);
      TelemetryStore telemetry = new CassandraTelemetryStore(storage.telemetry());
      long now = System.currentTimeMillis();

      // Vibration above the critical zone for longer than the rule's 5 s: the first actor raises the alert.
      assertThat(deliver(telemetry, devices, PUMP, 1, now - 10_000, 30.0)).isInstanceOf(IngestOutcome.Accepted.class);
      assertThat(deliver(telemetry, devices, PUMP, 2, now - 4_000, 30.0)).isInstanceOf(IngestOutcome.Accepted.class);
      assertThat(alerts.inFlight.get()).as("the raise is on its way to Cassandra").isEqualTo(1);
      // Another device's first message: its actor takes the node's only place, the pump's actor is stopped.
      assertThat(deliver(telemetry, devices, OTHER, 1, now, 1.0)).isInstanceOf(IngestOutcome.Accepted.class);
      // The pump speaks again: a new actor reads its stored telemetry and open alerts back.
      assertThat(deliver(telemetry, devices, PUMP, 3, now - 1_000, 30.0)).isInstanceOf(IngestOutcome.Accepted.class);

      waiter.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
        assertThat(alerts.inFlight.get()).as("every alert change settled").isZero();
        return null;
      });
      List<Row> open = CASSANDRA.session().execute(
          "SELECT alert_id, alert_type, status FROM " + keyspace + ".alerts_open_by_device WHERE device_id = ?",
          PUMP.deviceId()).all();
      List<Row> active = open.stream()
          .filter(row -> row.getString("alert_type").equals(TYPE) && row.getString("status").startsWith("ACTIVE"))
          .toList();
      assertThat(active).as("open %s alerts of %s in Cassandra: %s", TYPE, PUMP.deviceId(),
          open.stream().map(Row::getFormattedContents).toList()).hasSize(1);
      List<Alert> held = devices.alerts(PUMP.deviceId()).toCompletableFuture().get(10, TimeUnit.SECONDS).open();
      assertThat(held).extracting(Alert::alertId).as("the running actor holds the stored alert")
          .containsExactly(active.get(0).getUuid("alert_id"));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** As the gateway does it: stored first, then delivered to the device's actor. */
  private static IngestOutcome deliver(TelemetryStore store, Devices devices, DeviceIdentity device, long sequence,
      long atMillis, double vibration) throws Exception {
    Telemetry message = new Telemetry(device, sequence, atMillis, List.of(new Sample("vibration", atMillis, vibration)),
        System.currentTimeMillis());
    store.store(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return devices.deliver(message).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}
