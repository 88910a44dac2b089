package io.fleetpulse.simulator.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.io.IOException;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@code fleet/<site>/+/dead-letter} (or every site's, {@code fleet/+/+/dead-letter},
 * on a broker without access control), where the node republishes every message it rejects, and
 * hands each dead letter's {@code code} to a counter. Dead letters without a readable code count
 * as {@link #UNREADABLE}. Runs on the shared MQTT event loop.
 */
public final class DeadLetterListener {

  /** Every site's dead letters. */
  public static final String TOPIC_FILTER = "fleet/+/+/dead-letter";
  /** Code recorded for dead letters that are not JSON or carry no string {@code code}. */
  public static final String UNREADABLE = "unreadable";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterListener.class);
  private final Mqtt5AsyncClient client;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Consumer<String> onCode;
  private final Optional<MqttLogin> login;
  private final String filter;

  /**
   * A listener of {@code site}'s dead letters connecting as {@code login} (the site's edge
   * gateway), or of every site's, anonymously, when {@code login} is empty.
   */
  public DeadLetterListener(URI brokerUrl, String clientId, Optional<MqttLogin> login, String site,
      MqttClientExecutorConfig executor, Optional<javax.net.ssl.TrustManagerFactory> trust, Consumer<String> onCode) {
    this.client = MqttClients.async(brokerUrl, clientId, executor, trust);
    this.onCode = onCode;
    this.login = login;
    this.filter = login.isEmpty() ? TOPIC_FILTER : "fleet/" + site + "/+/dead-letter";
  }

  /** Connects and subscribes; completes once the subscription is acknowledged. */
  public CompletableFuture<Void> start(Duration keepAlive, Duration timeout) {
    return MqttClients.connect(client, login, keepAlive)
        .thenCompose(connAck -> client.subscribeWith()
            .topicFilter(filter)
            .qos(MqttQos.AT_LEAST_ONCE)
            .callback(this::onDeadLetter)
            .send())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(subAck -> null);
  }

  private void onDeadLetter(Mqtt5Publish publish) {
    onCode.accept(codeOf(publish.getPayloadAsBytes()));
  }

  String codeOf(byte[] payload) {
    try {
      JsonNode code = mapper.readTree(payload).path("code");
      if (code.isTextual()) {
        return code.asText();
      }
    } catch (IOException e) {
      LOG.debug("dead letter is not JSON", e);
    }
    return UNREADABLE;
  }

  public CompletableFuture<Void> stop() {
    return client.disconnect().exceptionally(error -> null);
  }
}
