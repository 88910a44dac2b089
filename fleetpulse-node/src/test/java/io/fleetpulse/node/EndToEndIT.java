package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.simulator.FleetSimulator;
import io.fleetpulse.simulator.SimulationReport;
import io.fleetpulse.simulator.SimulatorSettings;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end on one node with the embedded broker: a real MQTT client publishes 10,000
 * messages from 200 devices, 5% of them malformed and 2% duplicated, and the node's HTTP API
 * must account for every one exactly.
 */
class EndToEndIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void counts_every_valid_message_once_and_every_rejection_by_reason() throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    String keyspace = CASSANDRA.emptyKeyspace();
    try (RunningNode node = FleetPulseNode.start(
        NodeTestSupport.nodeConfigStoringIn(CASSANDRA, keyspace, "e2e", brokerPort, directory.resolve("hivemq")))) {
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
      TelemetryAccounting.assertStoredExactlyOnce(CASSANDRA.session(), keyspace, report);

      JsonNode unknown = NodeTestSupport.getJson(node.httpUrl() + "/api/devices/no-such-device");
      assertThat(unknown.path("_status").asInt()).isEqualTo(404);
      assertThat(unknown.path("code").asText()).isEqualTo("device.unknown");
      assertHttpApiContract(node.httpUrl(), report);
    }
  }

  /** The rest of the API on the same running node: paging, registration and its errors. */
  private static void assertHttpApiContract(String api, SimulationReport report) {
    JsonNode firstPage = NodeTestSupport.getJson(api + "/api/devices?limit=150");
    assertThat(firstPage.path("devices")).hasSize(150);
    JsonNode secondPage = NodeTestSupport.getJson(api + "/api/devices?limit=150&after=" + firstPage.path("next").asText());
    assertThat(secondPage.path("devices")).hasSize(report.validUniqueByDevice().size() - 150);
    assertThat(secondPage.path("next").isNull()).isTrue();
    assertThat(secondPage.path("devices").get(0).path("deviceId").asText())
        .isGreaterThan(firstPage.path("devices").get(149).path("deviceId").asText());

    JsonNode device = NodeTestSupport.getJson(api + "/api/devices/" + firstPage.path("devices").get(0).path("deviceId").asText());
    JsonNode metric = device.path("state").path("metrics").get(0);
    assertThat(metric.path("windows")).hasSize(2);
    assertThat(metric.path("windows").get(0).path("window").asText()).isEqualTo("PT1M");
    assertThat(metric.path("windows").get(0).path("count").asLong()).isPositive();
    assertThat(device.path("state").path("recent")).isNotEmpty();

    JsonNode registered = NodeTestSupport.putJson(api + "/api/devices/press-7", "{\"site\":\"plant-9\",\"profile\":\"rotating-machine\"}");
    assertThat(registered.path("_status").asInt()).isEqualTo(200);
    assertThat(registered.path("autoProvisioned").asBoolean()).isFalse();
    JsonNode fresh = NodeTestSupport.getJson(api + "/api/devices/press-7");
    assertThat(fresh.path("registration").path("site").asText()).isEqualTo("plant-9");
    assertThat(fresh.path("state").isNull()).as("no telemetry yet").isTrue();

    JsonNode badProfile = NodeTestSupport.putJson(api + "/api/devices/press-8", "{\"site\":\"plant-9\",\"profile\":\"toaster\"}");
    assertThat(badProfile.path("_status").asInt()).isEqualTo(400);
    assertThat(badProfile.path("code").asText()).isEqualTo("profile.unknown");
    JsonNode badId = NodeTestSupport.putJson(api + "/api/devices/bad%20id", "{\"site\":\"plant-9\",\"profile\":\"rotating-machine\"}");
    assertThat(badId.path("_status").asInt()).isEqualTo(400);
    assertThat(badId.path("code").asText()).isEqualTo("request.invalid");
    JsonNode badLimit = NodeTestSupport.getJson(api + "/api/devices?limit=0");
    assertThat(badLimit.path("code").asText()).isEqualTo("request.invalid");
    JsonNode noRoute = NodeTestSupport.getJson(api + "/api/nothing-here");
    assertThat(noRoute.path("_status").asInt()).isEqualTo(404);
    assertThat(noRoute.path("code").asText()).isEqualTo("route.unknown");
    assertThat(NodeTestSupport.getJson(api + "/api/profiles").path("items")).extracting(p -> p.path("name").asText())
        .containsExactly("alert-consumer", "edge-gateway", "environment-sensor", "rotating-machine", "turbofan",
            "univariate-signal");
    assertThat(NodeTestSupport.getJson(api + "/health/live").path("status").asText()).isEqualTo("alive");
  }
}
