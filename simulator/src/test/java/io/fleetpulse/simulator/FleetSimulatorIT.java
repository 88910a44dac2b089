package io.fleetpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the simulator against an embedded HiveMQ CE broker and checks, with an independent
 * subscriber, that what the report claims was published really arrived.
 */
class FleetSimulatorIT {

  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);

  @TempDir
  static Path brokerHome;

  private static EmbeddedHiveMQ broker;
  private static int port;

  private Mqtt5AsyncClient observer;
  private final Queue<Mqtt5Publish> received = new ConcurrentLinkedQueue<>();
  private volatile Consumer<Mqtt5Publish> onTelemetry = publish -> { };

  @BeforeAll
  static void startBroker() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = Files.createDirectories(brokerHome.resolve("conf"));
    Files.writeString(config.resolve("config.xml"), """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener>
              <port>%d</port>
              <bind-address>127.0.0.1</bind-address>
            </tcp-listener>
          </listeners>
          <mqtt>
            <queued-messages>
              <max-queue-size>100000</max-queue-size>
            </queued-messages>
            <receive-maximum>
              <server-receive-maximum>1000</server-receive-maximum>
            </receive-maximum>
          </mqtt>
          <anonymous-usage-statistics>
            <enabled>false</enabled>
          </anonymous-usage-statistics>
        </hivemq>
        """.formatted(port));
    broker = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(config)
        .withDataFolder(Files.createDirectories(brokerHome.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(brokerHome.resolve("extensions")))
        .withoutLoggingBootstrap()
        .build();
    broker.start().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void subscribe() throws Exception {
    observer = MqttClient.builder().useMqttVersion5().identifier("observer-" + UUID.randomUUID())
        .serverHost("127.0.0.1").serverPort(port).buildAsync();
    observer.connect().get(10, TimeUnit.SECONDS);
    observer.subscribeWith().topicFilter("fleet/+/+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
        .callback(publish -> {
          received.add(publish);
          onTelemetry.accept(publish);
        }).send().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void unsubscribe() throws Exception {
    observer.disconnect().get(10, TimeUnit.SECONDS);
  }

  private SimulatorSettings settings() {
    return SimulatorSettings.defaults()
        .withBrokerUrl("tcp://127.0.0.1:" + port)
        .withDevices(50)
        .withConnections(5)
        .withRate(0)
        .withDrain(Duration.ZERO)
        .withProgressInterval(Duration.ofSeconds(1));
  }

  @Test
  void every_acknowledged_message_reaches_a_subscriber_per_device() throws Exception {
    SimulationReport report = FleetSimulator.run(settings().withMessages(2_000));

    assertThat(report.sent()).isEqualTo(2_000);
    assertThat(report.acknowledged()).isEqualTo(report.sent());
    assertThat(report.failed()).isZero();
    assertThat(report.validUniqueByDevice()).hasSize(50).allSatisfy((device, count) -> assertThat(count).isEqualTo(40));
    awaitTrue(() -> received.size() >= 2_000);
    assertThat(countByDevice(received)).isEqualTo(report.validUniqueByDevice());
    assertThat(report.malformedSent()).isZero();
    assertThat(report.duplicatesSent()).isZero();
  }

  @Test
  void bad_input_arrives_exactly_as_reported_and_dead_letters_are_counted() throws Exception {
    // A stand-in for the node: dead-letters every message naming the unknown metric.
    onTelemetry = publish -> {
      if (text(publish).contains("flux-capacitance")) {
        String[] topic = publish.getTopic().toString().split("/");
        observer.publishWith().topic("fleet/" + topic[1] + "/" + topic[2] + "/dead-letter")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(("{\"code\":\"metric.unknown\",\"message\":\"unknown metric\",\"deviceId\":\"" + topic[2]
                + "\",\"site\":\"" + topic[1] + "\"}").getBytes(StandardCharsets.UTF_8))
            .send();
      }
    };

    SimulationReport report = FleetSimulator.run(settings().withMessages(2_000).withMalformedShare(0.05)
        .withDuplicateShare(0.02).withLateShare(0.02).withDrain(Duration.ofSeconds(2)));

    assertThat(report.acknowledged()).isEqualTo(2_000);
    assertThat(report.malformedSent()).isEqualTo(100);
    assertThat(report.malformedByCode()).hasSize(8).containsEntry("payload.malformed", 13L)
        .containsEntry("payload.too-large", 12L);
    assertThat(report.duplicatesSent()).isEqualTo(40);
    assertThat(report.lateSent()).isEqualTo(40);
    assertThat(report.validUnique()).isEqualTo(2_000 - 100 - 40);
    assertThat(report.deadLettersByCode()).containsExactlyEntriesOf(Map.of("metric.unknown", 12L));
    assertThat(report.malformedByCode()).containsEntry("metric.unknown", 12L);

    awaitTrue(() -> received.size() >= 2_000);
    assertThat(received).hasSize(2_000);
    Map<String, Integer> copies = new ConcurrentHashMap<>();
    received.forEach(publish -> copies.merge(publish.getTopic() + " " + text(publish), 1, Integer::sum));
    assertThat(copies.values().stream().mapToInt(n -> n - 1).sum()).isEqualTo(40);
    assertThat(received.stream().filter(p -> text(p).contains("NaN")).count()).isEqualTo(13);
  }

  @Test
  void a_rate_limited_run_stops_after_its_duration() throws Exception {
    SimulationReport report = FleetSimulator.run(settings().withRate(200).withDuration(Duration.ofSeconds(2)));

    // The rate is a ceiling, whatever the machine: never more than 200 a second over the 2 s
    // (plus the limiter's first second of burst); how close a run comes to it is the
    // benchmark's question, not this test's.
    assertThat(report.sent()).isPositive().isLessThanOrEqualTo(200L * 3);
    assertThat(report.acknowledged()).isEqualTo(report.sent());
    awaitTrue(() -> received.size() >= report.sent());
    assertThat(countByDevice(received)).isEqualTo(report.validUniqueByDevice());
  }

  private static Map<String, Long> countByDevice(Queue<Mqtt5Publish> publishes) {
    Map<String, Long> byDevice = new TreeMap<>();
    publishes.forEach(publish -> byDevice.merge(publish.getTopic().getLevels().get(2), 1L, Long::sum));
    return byDevice;
  }

  private static String text(Mqtt5Publish publish) {
    return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
