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
 * Cassandra goes away mid-run. The gateway cannot store, so it stops acknowledging and the broker
 * keeps the messages (the gateway's in-flight window fills and the broker stops sending); when
 * Cassandra is back every message arrives, stored once and counted once.
 */
class CassandraOutageIT {

  private static final int DEVICES = 20;
  private static final int WINDOW = 200;

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
        TestPublisher publisher = new TestPublisher(brokerUrl, "outage-devices", WINDOW)) {
      String summary = node.httpUrl() + "/api/fleet/summary";

      // 1. Healthy: 100 messages per device, all stored and acknowledged.
      publishRounds(publisher, 1, 100);
      assertThat(acknowledgedByNode(summary, 100 * DEVICES)).isEqualTo(100 * DEVICES);

      // 2. Cassandra dies; devices publish 100 more each. None may be acknowledged.
      cassandra.kill();
      publishRounds(publisher, 101, 200);
      assertThat(publisher.awaitAcknowledged(WINDOW)).as("the broker took every publish").isEqualTo(200 * DEVICES);
      Thread.sleep(5_000);
      JsonNode during = NodeTestSupport.getJson(summary).path("messages");
      assertThat(during.path("acknowledged").asLong()).as("acknowledged while Cassandra was down").isEqualTo(100 * DEVICES);
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
        assertThat(TelemetryAccounting.storedRows(session, "fleetpulse", DEVICES)).as("stored rows; per device: %s", rowsPerDevice(session))
            .isEqualTo(200L * DEVICES * TestPublisher.METRICS.size());
      }
      for (int device = 0; device < DEVICES; device++) {
        JsonNode state = NodeTestSupport.getJson(node.httpUrl() + "/api/devices/" + TestPublisher.deviceId(device))
            .path("state");
        assertThat(state.path("accepted").asLong()).as(TestPublisher.deviceId(device)).isEqualTo(200);
        assertThat(state.path("duplicates").asLong()).isZero();
        assertThat(state.path("metrics").get(0).path("windows").get(1).path("count").asLong()).isEqualTo(200);
      }
    } finally {
      cassandra.close();
    }
  }

  private static void publishRounds(TestPublisher publisher, int first, int last) throws InterruptedException {
    for (int round = first; round <= last; round++) {
      long now = System.currentTimeMillis();
      for (int device = 0; device < DEVICES; device++) {
        publisher.publish(device, round, now);
      }
    }
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
        session.execute("SELECT seq FROM fleetpulse.telemetry_by_device_day WHERE device_id = ? AND day = ?",
            TestPublisher.deviceId(device), day).forEach(row -> bySequence.merge(row.getLong("seq"), 1, Integer::sum));
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
