package io.fleetpulse.node;

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
 * The same gateway against Mosquitto instead of the embedded HiveMQ: shared subscription, MQTT 5
 * Receive Maximum, explicit acknowledgements and dead letters work with any conforming broker.
 */
class MosquittoInteropIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void gateway_accounts_for_every_message_through_mosquitto() throws Exception {
    try (MosquittoBroker mosquitto = MosquittoBroker.start(directory);
        RunningNode node = FleetPulseNode.start(
            CASSANDRA.nodeConfig(CASSANDRA.emptyKeyspace())
                .withFallback(NodeTestSupport.nodeConfig("interop", 0, directory.resolve("unused"), mosquitto.url())))) {
      SimulationReport report = FleetSimulator.run(
          SimulatorSettings.defaults()
              .withBrokerUrl(mosquitto.url())
              .withDevices(50)
              .withMessages(3_000)
              .withMalformedShare(0.05)
              .withDuplicateShare(0.02)
              .withRate(0)
              .withApiUrl(node.httpUrl())
              .withSeed(7L)
              .withProgressInterval(Duration.ofSeconds(10))
              .withDrain(Duration.ofSeconds(3)));

      TelemetryAccounting.assertNodeCountedExactly(node.httpUrl(), report);
    }
  }
}
