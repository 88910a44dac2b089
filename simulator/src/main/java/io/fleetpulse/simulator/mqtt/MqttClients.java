package io.fleetpulse.simulator.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Builds the simulator's MQTT 5 async clients from a {@code tcp://host:port} broker URL. */
public final class MqttClients {

  private static final int DEFAULT_MQTT_PORT = 1883;

  private MqttClients() {}

  /**
   * A client that is not yet connected. Clients built with the same {@code executor} share its
   * Netty event loop.
   */
  public static Mqtt5AsyncClient async(URI brokerUrl, String clientId, MqttClientExecutorConfig executor) {
    return MqttClient.builder()
        .useMqttVersion5()
        .identifier(clientId)
        .serverHost(brokerUrl.getHost())
        .serverPort(brokerUrl.getPort() > 0 ? brokerUrl.getPort() : DEFAULT_MQTT_PORT)
        .executorConfig(executor)
        .buildAsync();
  }

  /**
   * A CONNECT with a clean start, as {@code login} when given (an edge gateway's name and secret),
   * anonymously otherwise.
   */
  public static CompletableFuture<Mqtt5ConnAck> connect(Mqtt5AsyncClient client, Optional<MqttLogin> login,
      Duration keepAlive) {
    var connect = client.connectWith().cleanStart(true).keepAlive((int) Math.max(1, keepAlive.toSeconds()));
    return login.isEmpty() ? connect.send()
        : connect.simpleAuth().username(login.get().username())
            .password(login.get().secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
  }

  /** The executor shared by all connections of a run; 0 threads keeps the client's default. */
  public static MqttClientExecutorConfig sharedExecutor(int nettyThreads) {
    return nettyThreads > 0
        ? MqttClientExecutorConfig.builder().nettyThreads(nettyThreads).build()
        : MqttClientExecutorConfig.builder().build();
  }
}
