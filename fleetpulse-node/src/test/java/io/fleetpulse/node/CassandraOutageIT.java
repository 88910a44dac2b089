package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.cassandra.EmbeddedCassandraSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cassandra goes away mid-run, while the device actors are writing what they derive: the roll-up
 * of the minute that just closed and an alert raised by the last readings before the outage. The
 * gateway cannot store, so it stops acknowledging and the broker keeps the messages (the gateway's
 * in-flight window fills and the broker stops sending); when Cassandra is back every message
 * arrives, stored once and counted once, no roll-up minute is missing, and the alert is stored once,
 * with its final revision.
 */
class CassandraOutageIT {

  private static final int DEVICES = 20;
  private static final int WINDOW = 200;
  /** Device 0's bearing runs hot from this round: its alert is raised (10 s later) before the outage. */
  private static final int HOT_FROM = 30;
  /** ...and cools from this round, during the outage: the alert is cleared when Cassandra is back. */
  private static final int COOL_FROM = 150;
  private static final String HOT_DEVICE = TestPublisher.deviceId(0);
  /** Cassandra is killed once the node has acknowledged this many messages: about round 50 of 100. */
  private static final int KILL_AT = 50 * DEVICES;

  @TempDir
  Path directory;

  @Test
  void while_cassandra_is_down_nothing_is_acknowledged_and_afterwards_everything_arrives_once() throws Exception {
    CassandraSettings cassandraSettings = CassandraSettings.fromConfig(ConfigFactory.load());
    EmbeddedCassandraSettings embedded = cassandraSettings.embedded()
        .isolated(Path.of("../cassandra-runtime/target/lib"), directory.resolve("cassandra"));
    CassandraLauncher cassandra = CassandraLauncher.start(embedded);
    int brokerPort = NodeTestSupport.freePort();
    Config config = ConfigFactory.parseString("""
            fleetpulse.persistence.cassandra.embedded.enabled = false
            fleetpulse.persistence.cassandra.contact-points = ["127.0.0.1:%d"]
            """.formatted(cassandra.cqlAddress().getPort()))
        .withFallback(NodeTestSupport.nodeConfig("outage", brokerPort, directory.resolve("broker"), null));
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    try (RunningNode node = FleetPulseNode.start(config);
        TestPublisher publisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-outage"), "outage-devices", WINDOW)) {
      String summary = node.httpUrl() + "/api/fleet/summary";

      // Event time: one second a round, ending two minutes ago, so minutes close as rounds arrive.
      long t0 = System.currentTimeMillis() - (200 + 120) * 1000L;

      // 1. Healthy: 100 messages per device reach the broker; device 0's alert is raised while the
      // node works through them, its actors writing roll-ups of the minutes that close.
      publishRounds(publisher, t0, 1, 100);

      // 2. Cassandra dies mid-backlog, with telemetry, roll-up and alert writes in flight; devices
      // publish 100 more each. Nothing more may be acknowledged while it is down.
      TelemetryAccounting.awaitAcknowledgedByNode(node.httpUrl(), KILL_AT);
      cassandra.kill();
      publishRounds(publisher, t0, 101, 200);
      assertThat(publisher.awaitAcknowledged(WINDOW)).as("the broker took every publish").isEqualTo(200 * DEVICES);
      long acknowledgedAtKill = NodeTestSupport.getJson(summary).path("messages").path("acknowledged").asLong();
      Thread.sleep(5_000);
      JsonNode during = NodeTestSupport.getJson(summary).path("messages");
      assertThat(during.path("acknowledged").asLong()).as("acknowledged while Cassandra was down").isEqualTo(acknowledgedAtKill);
      assertThat(acknowledgedAtKill).as("killed mid-backlog").isLessThan(100 * DEVICES);
      assertThat(during.path("inFlight").asInt()).as("the gateway holds what it received, unacknowledged").isPositive();

      // 3. Cassandra returns on the same address and data: everything arrives, once.
      cassandra = CassandraLauncher.start(embedded);
      assertThat(acknowledgedByNode(summary, 200 * DEVICES)).isEqualTo(200 * DEVICES);
      JsonNode after = NodeTestSupport.getJson(summary).path("messages");
      assertThat(after.path("accepted").asLong()).isEqualTo(200 * DEVICES);
      assertThat(after.path("duplicates").asLong()).isZero();
      assertThat(after.path("inFlight").asInt()).isZero();
      assertThat(after.path("deliveryRetries").asLong()).as("stores retried during the outage").isPositive();
      // The test's own session opens now: one opened before the outage reconnects on the driver's
      // back-off schedule, which may not have come round yet although the node's session has.
      try (CqlSession session = CqlSession.builder().addContactPoint(cassandra.cqlAddress())
          .withLocalDatacenter(cassandraSettings.localDatacenter()).build()) {
        assertThat(TelemetryAccounting.storedReadings(session, "fleetpulse", DEVICES)).as("stored rows; per device: %s", rowsPerDevice(session))
            .isEqualTo(200L * DEVICES * TestPublisher.METRICS.size());
      }
      for (int device = 0; device < DEVICES; device++) {
        JsonNode state = NodeTestSupport.getJson(node.httpUrl() + "/api/devices/" + TestPublisher.deviceId(device))
            .path("state");
        assertThat(state.path("accepted").asLong()).as(TestPublisher.deviceId(device)).isEqualTo(200);
        assertThat(state.path("duplicates").asLong()).isZero();
        assertThat(state.path("metrics").get(0).path("windows").get(1).path("count").asLong()).isEqualTo(200);
      }
      try (CqlSession session = CqlSession.builder().addContactPoint(cassandra.cqlAddress())
          .withLocalDatacenter(cassandraSettings.localDatacenter()).build()) {
        for (int device = 0; device < DEVICES; device++) {
          TelemetryAccounting.assertRollupsMatchStoredRows(session, "fleetpulse", node.httpUrl(), TestPublisher.deviceId(device),
              t0, t0 + 200 * 1000L);
        }
      }
      assertAlertStoredOnceWithItsFinalRevision(node.httpUrl(), t0);
      String metrics = NodeTestSupport.getText(node.httpUrl() + "/metrics");
      assertThat(metrics).contains("fleetpulse_records_failed_total", "fleetpulse_alerts_failed_total");
      assertThat(counter(metrics, "fleetpulse_records_failed_total")).as("records given up").isZero();
      assertThat(counter(metrics, "fleetpulse_alerts_failed_total")).as("alert changes given up").isZero();
      System.out.printf("Cassandra outage: %.0f record writes and %d stores retried%n",
          counter(metrics, "fleetpulse_records_retries_total"), after.path("deliveryRetries").asLong());
    } finally {
      cassandra.close();
    }
  }

  /** The sum of a Prometheus counter's samples (every label set). */
  private static double counter(String metrics, String name) {
    return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static void publishRounds(TestPublisher publisher, long t0, int first, int last) throws InterruptedException {
    for (int round = first; round <= last; round++) {
      long at = t0 + round * 1000L;
      publisher.publish(HOT_DEVICE, round, at, TestPublisher.bearingAt(round >= HOT_FROM && round < COOL_FROM ? 100 : 60));
      for (int device = 1; device < DEVICES; device++) {
        publisher.publish(device, round, at);
      }
    }
  }

  /**
   * The hot bearing's alert: raised before the outage, updated and then cleared by readings that
   * waited out the outage in the broker. Its device actor's view and the stored history agree: one
   * alert of the type, cleared by the system, with the last trigger the actor counted.
   */
  private static void assertAlertStoredOnceWithItsFinalRevision(String api, long t0) {
    JsonNode open = NodeTestSupport.awaitJson(api + "/api/devices/" + HOT_DEVICE + "/alerts",
        body -> body.path("items").size() == 1 && body.path("items").get(0).path("status").asText().equals("CLEARED_UNACK"),
        Duration.ofSeconds(60)).path("items").get(0);
    String range = "?from=" + java.time.Instant.ofEpochMilli(t0 - 3_600_000) + "&to=" + java.time.Instant.now().plusSeconds(3_600);
    JsonNode history = NodeTestSupport.awaitJson(api + "/api/data/devices/" + HOT_DEVICE + "/alerts" + range,
        body -> body.path("items").size() == 1 && body.path("items").get(0).path("status").asText().equals("CLEARED_UNACK"),
        Duration.ofSeconds(60)).path("items");
    assertThat(history).as("alerts stored for %s", HOT_DEVICE).hasSize(1);
    JsonNode stored = history.get(0);
    assertThat(stored.path("alertId").asText()).isEqualTo(open.path("alertId").asText());
    assertThat(stored.path("type").asText()).isEqualTo("bearing-overheat");
    assertThat(stored.path("status").asText()).isEqualTo("CLEARED_UNACK");
    assertThat(stored.path("clearedBy").asText()).isEqualTo("system");
    // The final revision: the last trigger and the clearing, as the actor holds them.
    assertThat(stored.path("triggerCount").asLong()).isEqualTo(open.path("triggerCount").asLong());
    assertThat(java.time.Instant.parse(stored.path("lastAt").asText()).toEpochMilli()).isEqualTo(open.path("lastAtMillis").asLong());
    assertThat(java.time.Instant.parse(stored.path("clearedAt").asText()).toEpochMilli())
        .isEqualTo(open.path("clearedAtMillis").asLong());
  }

  private static long acknowledgedByNode(String summaryUrl, long expected) {
    return NodeTestSupport.awaitJson(summaryUrl,
            body -> body.path("messages").path("acknowledged").asLong() >= expected
                && body.path("messages").path("inFlight").asInt() == 0,
            Duration.ofSeconds(120))
        .path("messages").path("acknowledged").asLong();
  }

  /** Devices whose row count is not 200 messages' worth, with the sequences they miss. */
  private static String rowsPerDevice(CqlSession session) {
    StringBuilder wrong = new StringBuilder();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int device = 0; device < DEVICES; device++) {
      java.util.Map<Long, Integer> bySequence = new java.util.TreeMap<>();
      for (LocalDate day : List.of(today.minusDays(1), today)) {
        session.execute("SELECT seq, readings FROM fleetpulse.telemetry_messages_by_device_day WHERE device_id = ? AND day = ?",
            TestPublisher.deviceId(device), day).forEach(row -> bySequence.merge(row.getLong("seq"),
                row.getMap("readings", String.class, Double.class).size(), Integer::sum));
      }
      java.util.List<Long> missing = new java.util.ArrayList<>();
      for (long seq = 1; seq <= 200; seq++) {
        if (bySequence.getOrDefault(seq, 0) != TestPublisher.METRICS.size()) {
          missing.add(seq);
        }
      }
      if (!missing.isEmpty()) {
        wrong.append(TestPublisher.deviceId(device)).append(" misses ").append(missing).append("; ");
      }
    }
    return wrong.length() == 0 ? "all complete" : wrong.toString();
  }

}
