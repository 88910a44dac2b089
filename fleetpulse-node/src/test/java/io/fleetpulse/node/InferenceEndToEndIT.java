package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
 * Telemetry to prediction on one node: environment sensors publish over MQTT, their actors run
 * the profile's model through the node's inference pool, and the device view and the Prometheus
 * endpoint show the result.
 */
class InferenceEndToEndIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void device_actors_run_their_profile_model_through_the_pool() throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    Config config = ConfigFactory.parseString("""
            fleetpulse.serving.registry-directory = "../model-serving/src/test/resources/models"
            fleetpulse.profiles.environment-sensor.models = [
              { model = env-scorer, features = [temperature, humidity, co2], window = 4 }
            ]
            """)
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(), "inference",
            brokerPort, directory.resolve("hivemq")));
    try (RunningNode node = FleetPulseNode.start(config)) {
      JsonNode models = NodeTestSupport.getJson(node.httpUrl() + "/api/models");
      assertThat(models.path("items")).anySatisfy(m -> {
        assertThat(m.path("name").asText()).isEqualTo("env-scorer");
        assertThat(m.path("activeVersion").asText()).isEqualTo("1");
      });

      SimulationReport report = FleetSimulator.run(
          SimulatorSettings.defaults()
              .withBrokerUrl(node.brokerUrl())
              .withApiUrl(node.httpUrl())
              .withDevices(20)
              .withRotatingMachineShare(0)
              .withMessages(400)
              .withRate(0)
              .withSeed(5L)
              .withProgressInterval(Duration.ZERO)
              .withDrain(Duration.ofSeconds(1)));
      assertThat(report.validUnique()).isEqualTo(400);

      String deviceId = report.validUniqueByDevice().keySet().iterator().next();
      JsonNode prediction = NodeTestSupport.awaitJson(node.httpUrl() + "/api/devices/" + deviceId,
              body -> body.path("state").path("predictions").path(0).path("runs").path("predictions").asLong() > 0,
              Duration.ofSeconds(20))
          .path("state").path("predictions").path(0);
      assertThat(prediction.path("model").asText()).isEqualTo("env-scorer");
      assertThat(prediction.path("version").asText()).isEqualTo("1");
      assertThat(prediction.path("outputs")).hasSize(3);
      assertThat(prediction.path("runs").path("failed").asLong()).isZero();

      String metrics = NodeTestSupport.getText(node.httpUrl() + "/metrics");
      assertThat(metrics).contains("fleetpulse_inference_batch_size_count{lane=\"mmtc\",model=\"env-scorer\"")
          .contains("fleetpulse_gateway_messages_total{outcome=\"accepted\"} 400.0");
    }
  }
}
