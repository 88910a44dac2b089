package io.fleetpulse.simulator.mqtt;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated edge gateway: an MQTT 5 connection that publishes for many devices. All
 * connections built with the same {@link MqttClientExecutorConfig} share one Netty event loop, so
 * the simulator needs no thread per device or per connection. At most {@code maxInFlight} QoS 1
 * publishes are unacknowledged at a time; callers take a permit with {@link #tryAcquire()} before
 * {@link #publish}, which gives it back when the PUBACK (or a failure) arrives.
 */
public final class GatewayConnection {

  private final Mqtt5AsyncClient client;
  private final Optional<MqttLogin> login;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** A connection as {@code login} (an edge gateway of the devices' site; empty: anonymous). */
  public GatewayConnection(URI brokerUrl, String clientId, Optional<MqttLogin> login, MqttClientExecutorConfig executor,
      Optional<javax.net.ssl.TrustManagerFactory> trust, int maxInFlight) {
    this.client = MqttClients.async(brokerUrl, clientId, executor, trust);
    this.login = login;
    this.maxInFlight = maxInFlight;
  }

  /** Connects with a clean session; completes exceptionally after {@code timeout}. */
  public CompletableFuture<Void> connect(Duration keepAlive, Duration timeout) {
    return MqttClients.connect(client, login, keepAlive)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(connAck -> null);
  }

  /** Takes an in-flight permit if one is free; never blocks. */
  public boolean tryAcquire() {
    while (true) {
      int current = inFlight.get();
      if (current >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Publishes with QoS 1 under a permit taken by {@link #tryAcquire()}. Completes normally when a
   * successful PUBACK arrives and exceptionally when the publish fails or the PUBACK carries an
   * error reason code; either way the permit is returned first.
   */
  public CompletableFuture<Void> publish(String topic, byte[] payload) {
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    client.publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send()
        .whenComplete((result, error) -> {
          inFlight.decrementAndGet();
          Throwable failure = error != null ? error : result.getError().orElse(null);
          if (failure != null) {
            outcome.completeExceptionally(unwrap(failure));
          } else {
            outcome.complete(null);
          }
        });
    return outcome;
  }

  public CompletableFuture<Void> disconnect() {
    return client.disconnect().exceptionally(error -> null);
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }
}
