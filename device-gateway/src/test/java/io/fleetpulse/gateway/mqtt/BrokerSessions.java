package io.fleetpulse.gateway.mqtt;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.registry.RegistryView;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/** Broker sessions as a shared run leaves them, and how tests look at them, for the embedded HiveMQ CE. */
final class BrokerSessions {

  private static final long WAIT_MILLIS = 10_000;

  private BrokerSessions() {}

  /** The default configuration with an in-memory embedded broker on a free port, its data in {@code directory}. */
  static Config embeddedBroker(Path directory) throws IOException {
    return ConfigFactory.parseString("""
        fleetpulse.gateway.broker.url = "tcp://127.0.0.1:%d"
        fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
        fleetpulse.gateway.broker.embedded-broker.persistence = in-memory
        fleetpulse.gateway.broker.embedded-broker.tls.port = %d
        """.formatted(freePort(), directory.toString().replace("\\", "/"), freePort())).withFallback(ConfigFactory.load());
  }

  /**
   * Starts the embedded broker with its access control over {@code registry}, as a node does;
   * {@code settings} must carry the gateway's secret ({@link GatewaySettings#withServiceSecret()}).
   */
  static EmbeddedBroker startBroker(GatewaySettings settings, RegistryView registry, DeviceProfiles profiles) {
    MqttAccess access = new MqttAccess(registry, profiles, settings.broker().username(), settings.broker().password(),
        System::currentTimeMillis);
    access.ready();
    return EmbeddedBroker.start(settings.broker(), access);
  }

  /** What a shared run leaves: a persistent session subscribed to the share group, disconnected. */
  static void leaveSharedSession(GatewaySettings settings, String clientId) throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(settings.broker().url(), clientId, new MemoryPersistence());
    client.connect(persistent(settings, true)).waitForCompletion(WAIT_MILLIS);
    client.subscribe(new MqttSubscription(settings.mqtt().subscription(), 1)).waitForCompletion(WAIT_MILLIS);
    client.disconnect().waitForCompletion(WAIT_MILLIS);
    client.close();
  }

  /**
   * Connects with the client's id without a clean start and disconnects again, keeping the session:
   * whether the broker still had it.
   */
  static boolean sessionPresent(GatewaySettings settings, String clientId) throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(settings.broker().url(), clientId, new MemoryPersistence());
    IMqttToken connected = client.connect(persistent(settings, false));
    connected.waitForCompletion(WAIT_MILLIS);
    client.disconnect().waitForCompletion(WAIT_MILLIS);
    client.close();
    return connected.getSessionPresent();
  }

  /** Connects as the gateway does: its identity, without or with a clean start, a session of an hour. */
  private static MqttConnectionOptions persistent(GatewaySettings settings, boolean cleanStart) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName(settings.broker().username());
    options.setPassword(settings.broker().password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
