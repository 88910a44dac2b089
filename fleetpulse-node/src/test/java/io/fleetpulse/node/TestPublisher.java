package io.fleetpulse.node;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes compact telemetry of rotating machines at QoS 1 and counts the broker's
 * acknowledgements: a PUBACK is the broker taking responsibility for the message, so every
 * acknowledged message must end up stored. At most {@code window} publishes are outstanding.
 */
final class TestPublisher implements AutoCloseable {

  static final String SITE = "plant-test";
  static final java.util.List<String> METRICS =
      java.util.List.of("vibration", "bearing-temperature", "motor-current", "pressure", "speed");

  private final Mqtt5AsyncClient client;
  private final Semaphore window;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** An anonymous publisher, for a broker with no access control (Mosquitto, a test's open broker). */
  TestPublisher(String brokerUrl, String clientId, int window) {
    this(brokerUrl, null, clientId, window);
  }

  /**
   * A publisher that connects as {@code login} (null: anonymously), with the client id {@code
   * <username>-<clientSuffix>} (the broker admits only ids under the username).
   */
  TestPublisher(String brokerUrl, MqttLogin login, String clientSuffix, int window) {
    URI url = URI.create(brokerUrl);
    this.client = MqttClient.builder().useMqttVersion5()
        .identifier(login == null ? clientSuffix : login.clientId(clientSuffix))
        .serverHost(url.getHost()).serverPort(url.getPort()).buildAsync();
    this.window = new Semaphore(window);
    if (login == null) {
      client.connect().join();
    } else {
      client.connectWith().simpleAuth().username(login.username())
          .password(login.secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().join();
    }
  }

  static String deviceId(int device) {
    return String.format(Locale.ROOT, "rm-test-%03d", device);
  }

  /** The reading of {@code device} for {@code sequence}: deterministic, within the profile's ranges. */
  static double value(int metric, int device, long sequence) {
    double phase = Math.sin(sequence * 0.37 + device * 1.3 + metric);
    return switch (metric) {
      case 0 -> 5 + 3 * phase;
      case 1 -> 60 + 10 * phase;
      case 2 -> 100 + 40 * phase;
      case 3 -> 200 + 20 * phase;
      default -> 1500 + 300 * phase;
    };
  }

  void publish(int device, long sequence, long timestampMillis) throws InterruptedException {
    java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
    for (int m = 0; m < METRICS.size(); m++) {
      values.put(METRICS.get(m), value(m, device, sequence));
    }
    publish(deviceId(device), sequence, timestampMillis, values);
  }

  /** A rotating machine's readings, normal but for the bearing at {@code bearingTemperature}. */
  static java.util.Map<String, Double> bearingAt(double bearingTemperature) {
    java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
    values.put("vibration", 3.0);
    values.put("bearing-temperature", bearingTemperature);
    values.put("motor-current", 80.0);
    values.put("pressure", 60.0);
    values.put("speed", 1500.0);
    return values;
  }

  /** Publishes the given readings of one device. */
  void publish(String deviceId, long sequence, long timestampMillis, java.util.Map<String, Double> values)
      throws InterruptedException {
    StringBuilder json = new StringBuilder(160)
        .append("{\"ts\":").append(timestampMillis).append(",\"seq\":").append(sequence).append(",\"values\":{");
    boolean first = true;
    for (java.util.Map.Entry<String, Double> value : values.entrySet()) {
      json.append(first ? "" : ",").append('"').append(value.getKey()).append("\":").append(value.getValue());
      first = false;
    }
    json.append("}}");
    window.acquire();
    CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult> sent = client.publishWith()
        .topic("fleet/" + SITE + "/" + deviceId + "/telemetry")
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(json.toString().getBytes(StandardCharsets.UTF_8))
        .send();
    sent.whenComplete((result, failure) -> {
      if (failure == null && !((com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult) result).getError().isPresent()) {
        acknowledged.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      window.release(); // last: awaitAcknowledged reads the counts once every permit is back
    });
  }

  /** Waits until every publish is answered; returns how many the broker acknowledged. */
  long awaitAcknowledged(int windowSize) throws InterruptedException {
    if (!window.tryAcquire(windowSize, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("publishes still unanswered after 60 s");
    }
    window.release(windowSize);
    return acknowledged.get();
  }

  long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    client.disconnect().exceptionally(failure -> null).join(); // a refused PUBLISH ends the connection first
  }
}
