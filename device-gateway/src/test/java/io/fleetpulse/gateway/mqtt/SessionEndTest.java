package io.fleetpulse.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.gateway.GatewaySettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real embedded HiveMQ CE: an exclusive subscriber ends the broker session a second
 * connection of a shared run left behind, shared subscription and all, so the share group does
 * not keep a share of every message for nobody until the session expires.
 */
class SessionEndTest {

  @TempDir
  Path directory;

  @Test
  void ends_a_persistent_session_with_its_shared_subscription() throws Exception {
    int port = freePort();
    GatewaySettings settings = GatewaySettings.fromConfig(ConfigFactory.parseString("""
        fleetpulse.gateway.broker.url = "tcp://127.0.0.1:%d"
        fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
        fleetpulse.gateway.broker.embedded-broker.persistence = in-memory
        """.formatted(port, directory.toString().replace("\\", "/"))).withFallback(ConfigFactory.load()));
    String clientId = settings.mqtt().unusedClientIds("node-1", true).get(0);
    assertThat(clientId).isEqualTo("fleetpulse-gateway-node-1-1");
    try (EmbeddedBroker broker = EmbeddedBroker.start(settings.broker())) {
      MqttAsyncClient shared = new MqttAsyncClient(settings.broker().url(), clientId, new MemoryPersistence());
      shared.connect(persistent(true)).waitForCompletion(10_000);
      shared.subscribe(new MqttSubscription(settings.mqtt().subscription(), 1)).waitForCompletion(10_000);
      shared.disconnect().waitForCompletion(10_000);
      assertThat(sessionPresent(shared)).as("the shared run's session outlives its connection").isTrue();
      shared.disconnect().waitForCompletion(10_000);

      assertThat(SubscriberConnection.endSession(settings.broker(), settings.mqtt(), clientId)).isTrue();

      assertThat(sessionPresent(shared)).as("the session after it was ended").isFalse();
      shared.disconnect().waitForCompletion(10_000);
      shared.close();
    }
  }

  /** Connects with the client's id without a clean start; whether the broker still had its session. */
  private static boolean sessionPresent(MqttAsyncClient client) throws Exception {
    IMqttToken connected = client.connect(persistent(false));
    connected.waitForCompletion(10_000);
    return connected.getSessionPresent();
  }

  private static MqttConnectionOptions persistent(boolean cleanStart) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(3600L);
    return options;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
