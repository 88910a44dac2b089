package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.loadtest.FleetSimulator;
import io.fleetpulse.loadtest.SimulationReport;
import io.fleetpulse.loadtest.SimulatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end on one node with the embedded broker: a real MQTT client publishes 10,000
 * messages from 200 devices, 5% of them malformed and 2% duplicated, and the node's HTTP API
 * must account for every one exactly.
 */
class EndToEndIT {

  @TempDir
  Path directory;

  @Test
  void counts_every_valid_message_once_and_every_rejection_by_reason() throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    try (RunningNode node = FleetPulseNode.start(NodeTestSupport.nodeConfig("e2e", brokerPort, directory.resolve("hivemq"), null))) {
      assertThat(NodeTestSupport.getJson(node.httpUrl() + "/health/ready").path("status").asText()).isEqualTo("ready");

      SimulationReport report = FleetSimulator.run(
          SimulatorSettings.defaults()
              .withBrokerUrl(node.brokerUrl())
              .withDevices(200)
              .withMessages(10_000)
              .withMalformedShare(0.05)
              .withDuplicateShare(0.02)
              .withRate(0)
              .withApiUrl(node.httpUrl())
              .withSeed(20261129L)
              .withProgressInterval(Duration.ofSeconds(10))
              .withDrain(Duration.ofSeconds(3)));

      assertThat(report.sent()).isEqualTo(10_000);
      assertThat(report.malformedSent()).isEqualTo(500);
      assertThat(report.duplicatesSent()).isEqualTo(200);
      TelemetryAccounting.assertNodeCountedExactly(node.httpUrl(), report);

      JsonNode unknown = NodeTestSupport.getJson(node.httpUrl() + "/api/devices/no-such-device");
      assertThat(unknown.path("_status").asInt()).isEqualTo(404);
      assertThat(unknown.path("code").asText()).isEqualTo("device.unknown");
    }
  }
}
