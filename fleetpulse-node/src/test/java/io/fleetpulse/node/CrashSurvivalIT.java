package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node dies the hard way mid-run (SIGKILL: no drain, no acknowledgements sent, device state
 * in memory gone) while devices keep publishing to the broker. A new node process starts with the
 * same identity, the broker redelivers what the dead one never acknowledged, and the device actors
 * rebuild their state from Cassandra. Every message the broker acknowledged to a device is stored
 * exactly once, and each device's aggregates equal those recomputed from the stored rows (a
 * redelivery applied twice would count a reading twice). The readings are one second apart in
 * event time over five minutes, so minutes close and their roll-ups, read back through the
 * data-team query API, must equal the statistics of the stored rows of each minute.
 */
class CrashSurvivalIT {

  private static final int DEVICES = 20;
  private static final int MESSAGES_PER_DEVICE = 300;
  private static final int WINDOW = 200;

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  /** The test's own keyspace in the shared Cassandra node. */
  private String keyspace;

  @Test
  void a_node_killed_mid_run_loses_nothing_acknowledged_and_its_devices_recover_their_aggregates() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    keyspace = CASSANDRA.emptyKeyspace();
    CqlSession session = CASSANDRA.session();
    try (MosquittoBroker mosquitto = MosquittoBroker.start(directory)) {
      String overrides = """
          fleetpulse.node.name = "crash"
          fleetpulse.gateway.broker.embedded = false
          fleetpulse.gateway.broker.url = "%s"
          pekko.remote.artery.canonical.port = 0
          """.formatted(mosquitto.url()) + CASSANDRA.nodeOverrides(keyspace);
      int httpPort = NodeTestSupport.freePort();
      int total = DEVICES * MESSAGES_PER_DEVICE;
      int killAfter = total * 3 / 10 + random.nextInt(total * 3 / 10);

      // Event time: one second per round, ending two minutes ago (all within the 15-minute windows).
      long t0 = System.currentTimeMillis() - (MESSAGES_PER_DEVICE + 120) * 1000L;
      NodeProcess first = NodeProcess.start(directory, "first", httpPort, overrides);
      long acknowledged;
      try (TestPublisher publisher = new TestPublisher(mosquitto.url(), "crash-devices", WINDOW)) {
        int published = 0;
        for (int round = 1; round <= MESSAGES_PER_DEVICE; round++) {
          for (int device = 0; device < DEVICES; device++) {
            publisher.publish(device, round, t0 + round * 1000L);
            if (++published == killAfter) {
              first.kill(); // devices keep publishing: the broker holds their messages
            }
          }
          Thread.sleep(5); // about 2,000 messages a second: the kill lands mid-stream
        }
        acknowledged = publisher.awaitAcknowledged(WINDOW);
        assertThat(publisher.failed()).as("publishes the broker refused").isZero();
      }
      assertThat(acknowledged).isEqualTo(total);

      try (NodeProcess second = NodeProcess.start(directory, "second", httpPort, overrides)) {
        long expectedRows = (long) total * TestPublisher.METRICS.size();
        long rows = TelemetryAccounting.awaitStoredReadings(session, keyspace, DEVICES, expectedRows, Duration.ofSeconds(120));
        assertThat(rows).as("every acknowledged message stored exactly once (seed %d, killed after %d)\n%s",
            seed, killAfter, second.tail()).isEqualTo(expectedRows);

        // One more message per device after the restart, so every device's actor is running.
        try (TestPublisher publisher = new TestPublisher(mosquitto.url(), "crash-devices-after", WINDOW)) {
          for (int device = 0; device < DEVICES; device++) {
            publisher.publish(device, MESSAGES_PER_DEVICE + 1, t0 + (MESSAGES_PER_DEVICE + 1) * 1000L);
          }
          assertThat(publisher.awaitAcknowledged(WINDOW)).isEqualTo(DEVICES);
        }
        // The broker's acknowledgement is not the node's: an actor counts a message in its
        // aggregates when it accepts it, and its row may still be on the way to Cassandra.
        long rowsAfter = expectedRows + (long) DEVICES * TestPublisher.METRICS.size();
        assertThat(TelemetryAccounting.awaitStoredReadings(session, keyspace, DEVICES, rowsAfter, Duration.ofSeconds(60)))
            .as("the message after the restart stored").isEqualTo(rowsAfter);
        // A row is stored before its actor sees the message: one whose delivery is being retried
        // (an ask that timed out on a starved machine) is stored but not yet counted.
        JsonNode settled = NodeTestSupport.awaitJson(second.httpUrl() + "/api/fleet/summary",
            summary -> summary.path("messages").path("inFlight").asInt() == 0, Duration.ofSeconds(60));
        assertThat(settled.path("messages").path("inFlight").asInt()).as("messages in flight: %s", settled).isZero();
        long recovered = 0;
        for (int device = 0; device < DEVICES; device++) {
          String id = TestPublisher.deviceId(device);
          JsonNode state = NodeTestSupport.awaitJson(second.httpUrl() + "/api/devices/" + id,
              body -> body.path("state").path("highestSequence").asLong() == MESSAGES_PER_DEVICE + 1,
              Duration.ofSeconds(30)).path("state");
          assertThat(state.path("highestSequence").asLong()).as(id).isEqualTo(MESSAGES_PER_DEVICE + 1);
          recovered += state.path("recovered").asLong();
          assertAggregatesMatchStoredRows(session, id, state, "seed " + seed + ", killed after " + killAfter);
          TelemetryAccounting.assertRollupsMatchStoredRows(session, keyspace, second.httpUrl(), id, t0,
              t0 + (MESSAGES_PER_DEVICE + 1) * 1000L);
        }
        assertThat(recovered).as("device actors rebuilt their state from stored telemetry").isPositive();
      }
    }
  }

  /**
   * The single node of {@code ./fleetpulse node}: its broker is embedded, so the kill takes the
   * broker down too, with the messages that were on their way to the gateway (sent, not yet
   * acknowledged). The devices published everything before the kill and the broker acknowledged
   * it all; after the restart every one of those messages must be stored exactly once. HiveMQ CE
   * loses the in-flight messages of a shared subscription in such a crash (their in-flight marks
   * outlive it and nothing sends them again), which is why a node with the embedded broker
   * subscribes outside the share group ({@code fleetpulse.gateway.mqtt.sharing = auto}); with
   * {@code sharing = shared} this test loses messages ({@code
   * -Dfleetpulse.test.crash-overrides='fleetpulse.gateway.mqtt.sharing = shared'} adds HOCON
   * overrides to both node processes).
   */
  @Test
  void a_node_killed_with_its_embedded_broker_loses_no_message_the_broker_acknowledged() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    keyspace = CASSANDRA.emptyKeyspace();
    CqlSession session = CASSANDRA.session();
    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    String overrides = """
        fleetpulse.node.name = "crash-embedded"
        fleetpulse.gateway.broker.embedded = true
        fleetpulse.gateway.broker.url = "%s"
        fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
        fleetpulse.gateway.broker.embedded-broker.tls.port = %d
        pekko.remote.artery.canonical.port = 0
        """.formatted(brokerUrl, directory.resolve("hivemq").toString().replace("\\", "/"), NodeTestSupport.freePort())
        + CASSANDRA.nodeOverrides(keyspace)
        + System.getProperty("fleetpulse.test.crash-overrides", "");
    int httpPort = NodeTestSupport.freePort();
    int messages = MESSAGES_PER_DEVICE;
    long total = (long) DEVICES * messages;
    long t0 = System.currentTimeMillis() - (messages + 120) * 1000L;
    long settledAtKill;
    NodeProcess first = NodeProcess.start(directory, "embedded-first", httpPort, overrides);
    try (TestPublisher publisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(first.httpUrl(), "gw-crash"),
        "crash-devices", WINDOW)) {
      for (int round = 1; round <= messages; round++) {
        for (int device = 0; device < DEVICES; device++) {
          publisher.publish(device, round, t0 + round * 1000L);
        }
      }
      assertThat(publisher.awaitAcknowledged(WINDOW)).as("acknowledged by the embedded broker").isEqualTo(total);
      assertThat(publisher.failed()).isZero();
    }
    // The node settles more slowly than the devices publish (every message is a synced write):
    // it dies mid-backlog, with a full in-flight window, once it has settled a random share of
    // the first half. The kill follows that count, not a sleep, so it lands mid-backlog however
    // fast or slow the machine is.
    long killAt = 1 + random.nextInt((int) (total / 2));
    settledAtKill = TelemetryAccounting.awaitAcknowledgedByNode(first.httpUrl(), killAt);
    first.kill();
    assertThat(settledAtKill).as("the node was killed before it had settled the backlog (seed %d)", seed).isLessThan(total);
    System.out.printf("embedded broker crash: node killed with %d of %d acknowledged messages settled%n", settledAtKill, total);

    try (NodeProcess second = NodeProcess.start(directory, "embedded-second", httpPort, overrides)) {
      long expectedRows = total * TestPublisher.METRICS.size();
      long rows = TelemetryAccounting.awaitStoredReadings(session, keyspace, DEVICES, expectedRows, Duration.ofSeconds(120));
      assertThat(rows).as("every message the embedded broker acknowledged stored exactly once (seed %d, %d of %d"
              + " settled at the kill; messages missing: %s)\n%s",
          seed, settledAtKill, total, TelemetryAccounting.missingMessages(session, keyspace, DEVICES, messages), second.tail()).isEqualTo(expectedRows);
      JsonNode settled = NodeTestSupport.awaitJson(second.httpUrl() + "/api/fleet/summary",
          summary -> summary.path("messages").path("inFlight").asInt() == 0, Duration.ofSeconds(60));
      assertThat(settled.path("messages").path("rejected").asLong()).as("rejected: %s", settled).isZero();
    }
  }

  /** The 15-minute window of every metric against the same statistics computed from Cassandra's rows. */
  private void assertAggregatesMatchStoredRows(CqlSession session, String deviceId, JsonNode state, String run) {
    for (JsonNode metric : state.path("metrics")) {
      List<Double> values = new ArrayList<>();
      for (LocalDate day : days()) {
        for (Row row : session.execute("SELECT readings FROM " + keyspace + ".telemetry_messages_by_device_day"
            + " WHERE device_id = ? AND day = ?", deviceId, day)) {
          Double value = row.getMap("readings", String.class, Double.class).get(metric.path("metric").asText());
          if (value != null) {
            values.add(value);
          }
        }
      }
      JsonNode window = metric.path("windows").get(metric.path("windows").size() - 1);
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
      String what = deviceId + " " + metric.path("metric").asText() + " (" + run + ", state " + state + ")";
      assertThat(window.path("count").asLong()).as(what + " count").isEqualTo(values.size());
      assertThat(window.path("mean").asDouble()).as(what + " mean").isCloseTo(mean, within(1e-9 * Math.abs(mean) + 1e-12));
      assertThat(window.path("min").asDouble()).as(what + " min")
          .isEqualTo(values.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
      assertThat(window.path("max").asDouble()).as(what + " max")
          .isEqualTo(values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
      assertThat(window.path("standardDeviation").asDouble()).as(what + " standard deviation")
          .isCloseTo(Math.sqrt(squares / (values.size() - 1)), within(1e-6));
    }
  }



  private static List<LocalDate> days() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    return List.of(today.minusDays(1), today);
  }
}
