package io.fleetpulse.simulator.mqtt;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The run's simulated edge gateways: opens {@code count} {@link GatewayConnection}s, at most
 * {@code parallelism} connects at a time, and closes them together. Connection {@code n} connects
 * as {@code logins.apply(n)} (its site's edge gateway; empty: anonymously), with the client id
 * {@code <login name or prefix>-<runId>-gw-<n>}, unique per run so parallel simulators do not take
 * over each other's sessions.
 */
public final class Gateways implements AutoCloseable {

  private final List<GatewayConnection> connections;
  private final Duration timeout;

  private Gateways(List<GatewayConnection> connections, Duration timeout) {
    this.connections = List.copyOf(connections);
    this.timeout = timeout;
  }

  /** Connection settings shared by all gateways of a run. */
  public record Options(
      URI brokerUrl,
      String clientIdPrefix,
      String runId,
      java.util.function.IntFunction<java.util.Optional<io.fleetpulse.api.registry.MqttLogin>> logins,
      MqttClientExecutorConfig executor,
      java.util.Optional<javax.net.ssl.TrustManagerFactory> trust,
      int maxInFlight,
      Duration keepAlive,
      Duration timeout,
      int parallelism) {}

  /** Opens all connections or, if one fails, closes the opened ones and throws. */
  public static Gateways connect(int count, Options options) throws InterruptedException {
    List<GatewayConnection> opened = new ArrayList<>(count);
    try {
      for (int first = 0; first < count; first += options.parallelism()) {
        List<GatewayConnection> batch = new ArrayList<>();
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        for (int n = first; n < Math.min(count, first + options.parallelism()); n++) {
          java.util.Optional<io.fleetpulse.api.registry.MqttLogin> login = options.logins().apply(n);
          String clientId = String.format("%s-%s-gw-%05d",
              login.map(io.fleetpulse.api.registry.MqttLogin::username).orElse(options.clientIdPrefix()), options.runId(), n + 1);
          GatewayConnection connection =
              new GatewayConnection(options.brokerUrl(), clientId, login, options.executor(), options.trust(),
              options.maxInFlight());
          batch.add(connection);
          connects.add(connection.connect(options.keepAlive(), options.timeout()));
        }
        opened.addAll(batch);
        CompletableFuture.allOf(connects.toArray(new CompletableFuture<?>[0])).get();
      }
      return new Gateways(opened, options.timeout());
    } catch (ExecutionException e) {
      new Gateways(opened, options.timeout()).close();
      throw new IllegalStateException(
          "cannot connect to the MQTT broker at " + options.brokerUrl() + ": " + GatewayConnection.unwrap(e.getCause()),
          e.getCause());
    }
  }

  public GatewayConnection get(int index) {
    return connections.get(index);
  }

  public int size() {
    return connections.size();
  }

  /** Disconnects every connection; publishes still in flight fail. Waits at most the connect timeout. */
  @Override
  public void close() {
    CompletableFuture<?>[] disconnects = connections.stream()
        .map(GatewayConnection::disconnect)
        .toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(disconnects).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Disconnect failures are swallowed per connection; a timeout leaves the broker to notice.
    }
  }
}
