package io.fleetpulse.benchmarks.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.api.registry.MqttLogin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The two places an alert change reaches its watchers: the site's MQTT topic {@code
 * fleet/{site}/alerts} (subscribed as the site's alert consumer) and the node's Server-Sent Events
 * stream {@code GET /api/alerts/stream?site=} (with the API token, as a browser with a session
 * would). Each channel takes the time an event arrives ({@link System#nanoTime}, the clock the
 * faulty devices' publish times are on), keeps raises of {@link FaultyDevices}' alerts (those
 * with no previous status) and records, per raising reading, its latency once.
 */
final class AlertWatchers implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One raising reading's latency on a channel, and how long after its publication the device's
   * actor raised the alert (the alert's {@code raisedAtMillis}, the node's wall clock on the same
   * machine: milliseconds only): the part before the alert was stored and delivered.
   */
  record Sample(FaultyDevices.Raise raise, long latencyNanos, long raisedAfterMillis) {}

  /** What one channel received. */
  static final class Channel {
    final String name;
    final Map<String, Sample> samples = new ConcurrentHashMap<>();
    final AtomicLong events = new AtomicLong();
    final AtomicLong unmatched = new AtomicLong();

    Channel(String name) {
      this.name = name;
    }
  }

  private final FaultyDevices devices;
  private final Channel mqtt = new Channel("mqtt");
  private final Channel sse = new Channel("sse");
  private final Mqtt5AsyncClient consumer;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Thread sseReader;
  private volatile Stream<String> sseLines;

  /**
   * Subscribes to the topic as {@code consumerLogin} and opens the stream with {@code token}; returns
   * once both are in place, so no raise published afterwards is missed.
   */
  AlertWatchers(FaultyDevices devices, String brokerUrl, MqttLogin consumerLogin, String apiUrl, String token,
      String site, Duration timeout) throws IOException, InterruptedException {
    this.devices = devices;
    URI broker = URI.create(brokerUrl);
    consumer = MqttClient.builder().useMqttVersion5().identifier(consumerLogin.username())
        .serverHost(broker.getHost()).serverPort(broker.getPort()).buildAsync();
    consumer.connectWith().simpleAuth().username(consumerLogin.username())
        .password(consumerLogin.secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().join();
    consumer.subscribeWith().topicFilter("fleet/" + site + "/alerts").qos(MqttQos.AT_LEAST_ONCE)
        .callback(message -> onEvent(mqtt, System.nanoTime(), new String(message.getPayloadAsBytes(), StandardCharsets.UTF_8)))
        .send().join();

    HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/api/alerts/stream?site=" + site))
        .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> response;
    try {
      response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("cannot open " + request.uri() + ": " + e, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET " + request.uri() + " answered HTTP " + response.statusCode());
    }
    sseLines = response.body();
    sseReader = new Thread(this::readStream, "alert-stream");
    sseReader.setDaemon(true);
    sseReader.start();
  }

  List<Channel> channels() {
    return List.of(mqtt, sse);
  }

  private void readStream() {
    String type = null;
    StringBuilder data = new StringBuilder();
    try {
      for (String line : (Iterable<String>) sseLines::iterator) {
        if (line.isEmpty()) {
          if ("alert".equals(type) && data.length() > 0) {
            onEvent(sse, System.nanoTime(), data.toString());
          }
          type = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          type = line.substring("event:".length()).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring("data:".length()).trim());
        }
      }
    } catch (RuntimeException e) {
      // closed at the end of the run
    }
  }

  private void onEvent(Channel channel, long receivedNanos, String json) {
    channel.events.incrementAndGet();
    JsonNode change;
    try {
      change = JSON.readTree(json);
    } catch (IOException e) {
      channel.unmatched.incrementAndGet();
      return;
    }
    JsonNode alert = change.path("alert");
    String deviceId = alert.path("deviceId").asText();
    boolean raised = change.path("previousStatus").isNull() || change.path("previousStatus").isMissingNode();
    if (!raised || !deviceId.startsWith("rm-faulty-") || !"bearing-overheat".equals(alert.path("type").asText())) {
      return; // a resolve, or not one of ours
    }
    devices.raise(deviceId, alert.path("lastValue").asDouble()).ifPresentOrElse(
        raise -> channel.samples.putIfAbsent(raise.deviceId() + "#" + raise.cycle(),
            new Sample(raise, receivedNanos - raise.publishedNanos(),
                alert.path("raisedAtMillis").asLong() - raise.publishedMillis())),
        channel.unmatched::incrementAndGet);
  }

  @Override
  public void close() {
    consumer.disconnect().exceptionally(failure -> null).join();
    Stream<String> lines = sseLines;
    if (lines != null) {
      lines.close();
    }
    sseReader.interrupt();
  }
}
