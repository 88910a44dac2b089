package io.fleetpulse.gateway.mqtt;

import static io.fleetpulse.gateway.mqtt.BrokerSessions.embeddedBroker;
import static io.fleetpulse.gateway.mqtt.BrokerSessions.leaveSharedSession;
import static io.fleetpulse.gateway.mqtt.BrokerSessions.sessionPresent;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.gateway.GatewaySettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real embedded HiveMQ CE: an exclusive subscriber ends the broker session a second
 * connection of a shared run left behind, shared subscription and all, so the share group does
 * not keep a share of every message for nobody until the session expires.
 */
class SessionEndIT {

  @TempDir
  Path directory;

  @Test
  void ends_a_persistent_session_with_its_shared_subscription() throws Exception {
    com.typesafe.config.Config config = embeddedBroker(directory);
    GatewaySettings settings = GatewaySettings.fromConfig(config).withServiceSecret();
    io.fleetpulse.api.profile.DeviceProfiles profiles = io.fleetpulse.api.profile.DeviceProfiles.fromConfig(config);
    String clientId = settings.mqtt().unusedClientIds("node-1", true).get(0);
    assertThat(clientId).isEqualTo("fleetpulse-gateway-node-1-1");
    try (EmbeddedBroker broker = BrokerSessions.startBroker(settings,
        new io.fleetpulse.gateway.registry.RegistryView(settings.registration(), profiles), profiles)) {
      leaveSharedSession(settings, clientId);
      assertThat(sessionPresent(settings, clientId)).as("the shared run's session outlives its connection").isTrue();

      assertThat(SubscriberConnection.endSession(settings.broker(), settings.mqtt(), clientId)).isTrue();

      assertThat(sessionPresent(settings, clientId)).as("the session after it was ended").isFalse();
    }
  }
}
