package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker restarts while the node runs, mid-backlog: the gateway's session is persistent, so
 * the broker (HiveMQ CE on its own, as an external broker, its sessions and queues on disk) keeps
 * what the node had not acknowledged and sends it again when the gateway reconnects. Every message
 * the broker acknowledged to a device is stored once and counted once (redeliveries of messages
 * the node had stored are duplicates), and the gateway subscribes again by itself: messages
 * published after the restart arrive too.
 *
 * <p>Not Mosquitto: Debian's 2.0.11 does not send again, after a restart, the messages that were in
 * flight to a client when it stopped (this test found 169 of 4,000 messages lost in one of nine
 * runs against it, and no redelivery in any); docs/telemetry.md.
 */
class BrokerRestartIT {

  private static final int DEVICES = 20;
  private static final int MESSAGES_PER_DEVICE = 200;
  private static final int WINDOW = 200;

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void a_broker_restart_loses_no_acknowledged_message_and_the_gateway_subscribes_again() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String keyspace = CASSANDRA.emptyKeyspace();
    long total = (long) DEVICES * MESSAGES_PER_DEVICE;
    long t0 = System.currentTimeMillis() - (MESSAGES_PER_DEVICE + 120) * 1000L;
    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    GatewaySettings.Broker brokerSettings = GatewaySettings.fromConfig(
        NodeTestSupport.nodeConfig("broker", brokerPort, directory.resolve("hivemq"), null)).broker();
    EmbeddedBroker broker = EmbeddedBroker.startOpen(brokerSettings);
    try (RunningNode node = FleetPulseNode.start(CASSANDRA.nodeConfig(keyspace)
            .withFallback(NodeTestSupport.nodeConfig("broker-restart", 0, directory.resolve("unused"), brokerUrl)))) {
      try (TestPublisher publisher = new TestPublisher(brokerUrl, "restart-devices", WINDOW)) {
        for (int round = 1; round <= MESSAGES_PER_DEVICE; round++) {
          for (int device = 0; device < DEVICES; device++) {
            publisher.publish(device, round, t0 + round * 1000L);
          }
        }
        assertThat(publisher.awaitAcknowledged(WINDOW)).as("acknowledged by the broker").isEqualTo(total);
        assertThat(publisher.failed()).isZero();
      }
      // The node settles more slowly than the broker takes messages (each is a synced write):
      // the restart lands mid-backlog, once the node has settled a random share of the first half.
      long settledAtRestart = TelemetryAccounting.awaitAcknowledgedByNode(node.httpUrl(), 1 + random.nextInt((int) (total / 2)));
      broker.close(); // a clean stop: sessions and queues saved
      broker = EmbeddedBroker.startOpen(brokerSettings);
      assertThat(settledAtRestart).as("the broker restarted before the node had settled the backlog (seed %d)", seed)
          .isLessThan(total);

      long expectedRows = total * TestPublisher.METRICS.size();
      assertThat(TelemetryAccounting.awaitStoredReadings(CASSANDRA.session(), keyspace, DEVICES, expectedRows, Duration.ofSeconds(120)))
          .as("every message the broker acknowledged stored exactly once (seed %d, %d settled at the restart; missing: %s)",
              seed, settledAtRestart, TelemetryAccounting.missingMessages(CASSANDRA.session(), keyspace, DEVICES, MESSAGES_PER_DEVICE))
          .isEqualTo(expectedRows);

      // Subscribed again: one more message per device, published after the restart.
      try (TestPublisher after = new TestPublisher(brokerUrl, "restart-devices-after", WINDOW)) {
        for (int device = 0; device < DEVICES; device++) {
          after.publish(device, MESSAGES_PER_DEVICE + 1, t0 + (MESSAGES_PER_DEVICE + 1) * 1000L);
        }
        assertThat(after.awaitAcknowledged(WINDOW)).isEqualTo(DEVICES);
      }
      long rowsAfter = expectedRows + (long) DEVICES * TestPublisher.METRICS.size();
      assertThat(TelemetryAccounting.awaitStoredReadings(CASSANDRA.session(), keyspace, DEVICES, rowsAfter, Duration.ofSeconds(60)))
          .as("the messages published after the restart stored").isEqualTo(rowsAfter);
      JsonNode messages = NodeTestSupport.awaitJson(node.httpUrl() + "/api/fleet/summary",
          summary -> summary.path("messages").path("inFlight").asInt() == 0
              && summary.path("messages").path("accepted").asLong() >= total + DEVICES,
          Duration.ofSeconds(60)).path("messages");
      assertThat(messages.path("accepted").asLong()).as("counted once: %s", messages).isEqualTo(total + DEVICES);
      assertThat(messages.path("rejected").asLong()).as("rejected: %s", messages).isZero();
      System.out.printf("broker restart: %d of %d messages settled at the restart, %d redeliveries recognised as duplicates%n",
          settledAtRestart, total, messages.path("duplicates").asLong());
    } finally {
      broker.close();
    }
  }
}
