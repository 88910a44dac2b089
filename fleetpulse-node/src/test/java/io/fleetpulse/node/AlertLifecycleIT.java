package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An overheating bearing through the whole node, over MQTT, with the alerts stored in a real
 * Cassandra: the profile's rule raises one alert once the temperature held for its minimum
 * duration, the operator acknowledges it over the HTTP API (refusals have their codes), the node
 * restarts and the same condition updates the same alert instead of raising another, and the
 * cooled bearing clears it: it leaves the site's open lists and the history keeps it, with who
 * acknowledged it and who cleared it.
 */
class AlertLifecycleIT {

  private static final String DEVICE = "rm-alert-1";
  private static final String SECOND_DEVICE = "rm-alert-2";
  private static final long T0 = System.currentTimeMillis() - 120_000;

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void an_overheating_bearing_raises_one_alert_that_survives_a_restart_and_clears_when_it_cools() throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    Config config = NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(), "alerts", brokerPort,
        directory.resolve("broker"));
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    String site = TestPublisher.SITE;
    String alertId;

    try (RunningNode node = FleetPulseNode.start(config);
        TestPublisher publisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-alerts"), "alert-device", 10);
        SseClient stream = new SseClient(node.httpUrl() + "/api/alerts/stream?site=" + site, null)) {
      String api = node.httpUrl() + "/api";
      // An alert consumer of the site (a SCADA bridge): it needs credentials of its own.
      JsonNode consumer = NodeTestSupport.putJson(api + "/devices/scada-alerts",
          "{\"site\":\"" + site + "\",\"profile\":\"alert-consumer\"}");
      com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient watcher = com.hivemq.client.mqtt.MqttClient.builder()
          .useMqttVersion5().identifier("scada-alerts").serverHost("127.0.0.1").serverPort(brokerPort).buildAsync();
      watcher.connectWith().simpleAuth().username("scada-alerts")
          .password(consumer.path("secret").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .applySimpleAuth().send().join();
      java.util.concurrent.BlockingQueue<JsonNode> published = new java.util.concurrent.LinkedBlockingQueue<>();
      watcher.subscribeWith().topicFilter("fleet/" + site + "/alerts")
          .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
          .callback(message -> published.add(NodeTestSupport.json(new String(message.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8))))
          .send().join();

      // Ten readings at 100 Cel, one a second (event time): under the 10 s minimum, nothing yet.
      publish(publisher, 1, 10, 100);
      // The broker's acknowledgement is not the node's: wait until the device actor took all ten,
      // so "no alert" is the rule's answer, not a reading still on its way.
      NodeTestSupport.awaitJson(api + "/devices/" + DEVICE, body -> body.path("state").path("highestSequence").asLong() == 10,
          Duration.ofSeconds(30));
      JsonNode open = NodeTestSupport.getJson(api + "/devices/" + DEVICE + "/alerts");
      assertThat(open.path("items")).isEmpty();
      // The eleventh holds it for 10 s: one major alert, streamed and published as it is stored.
      long faultyReadingSent = System.nanoTime();
      publish(publisher, 11, 11, 100);
      SseClient.Event raisedEvent = stream.next("alert", Duration.ofSeconds(30));
      System.out.printf("alert latency, faulty reading published to event at the stream: %.1f ms%n",
          (raisedEvent.receivedNanos() - faultyReadingSent) / 1e6);
      JsonNode raised = NodeTestSupport.json(raisedEvent.data());
      assertThat(raised.path("previousStatus").isNull()).isTrue();
      assertThat(raised.path("alert").path("status").asText()).isEqualTo("ACTIVE_UNACK");
      JsonNode mqtt = published.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(mqtt).as("published to fleet/%s/alerts", site).isNotNull();
      assertThat(mqtt.path("alert").path("alertId").asText()).isEqualTo(raised.path("alert").path("alertId").asText());
      publish(publisher, 12, 15, 100);
      JsonNode list = NodeTestSupport.awaitJson(api + "/sites/" + site + "/alerts?status=ACTIVE_UNACK",
          body -> body.path("alerts").size() == 1, Duration.ofSeconds(30));
      JsonNode alert = list.path("alerts").get(0);
      assertThat(alert.path("alertId").asText()).isEqualTo(raised.path("alert").path("alertId").asText());
      assertThat(alert.path("deviceId").asText()).isEqualTo(DEVICE);
      assertThat(alert.path("type").asText()).isEqualTo("bearing-overheat");
      assertThat(alert.path("severity").asText()).isEqualTo("MAJOR");
      assertThat(alert.path("message").asText()).isEqualTo("bearing-temperature is 100, above the major threshold 95");
      alertId = alert.path("alertId").asText();

      String alertUrl = api + "/devices/" + DEVICE + "/alerts/" + alertId;
      JsonNode acknowledged = NodeTestSupport.postJson(alertUrl + "/acknowledge", "{\"note\":\"checking the bearing\"}");
      assertThat(acknowledged.path("_status").asInt()).isEqualTo(200);
      assertThat(acknowledged.path("status").asText()).isEqualTo("ACTIVE_ACK");
      JsonNode again = NodeTestSupport.postJson(alertUrl + "/acknowledge", "");
      assertThat(again.path("_status").asInt()).isEqualTo(409);
      assertThat(again.path("code").asText()).isEqualTo("alert.already-acknowledged");
      assertThat(NodeTestSupport.postJson(api + "/devices/" + DEVICE + "/alerts/00000000-0000-0000-0000-000000000001/clear",
          "").path("code").asText()).isEqualTo("alert.unknown");
      assertThat(NodeTestSupport.postJson(api + "/devices/" + DEVICE + "/alerts/not-a-uuid/clear", "")
          .path("_status").asInt()).isEqualTo(400);
      assertThat(NodeTestSupport.postJson(alertUrl + "/clear", "[\"not an object\"]").path("code").asText())
          .isEqualTo("request.invalid");

      // The stream carries the acknowledgement; a client reconnecting after the raise resumes
      // with it, and one with a position from another node's life is told to reload.
      JsonNode ackEvent = NodeTestSupport.json(stream.next("alert", Duration.ofSeconds(30)).data());
      assertThat(ackEvent.path("previousStatus").asText()).isEqualTo("ACTIVE_UNACK");
      assertThat(ackEvent.path("alert").path("acknowledgedBy").asText()).as("the caller's identity, never a name it sends")
          .isEqualTo("token:bootstrap");
      try (SseClient resumed = new SseClient(api + "/alerts/stream?site=" + site, raisedEvent.id())) {
        assertThat(NodeTestSupport.json(resumed.next("alert", Duration.ofSeconds(30)).data()).path("alert").path("status").asText())
            .isEqualTo("ACTIVE_ACK");
      }
      try (SseClient stale = new SseClient(api + "/alerts/stream", "0badc0de.42")) {
        assertThat(stale.next("reload", Duration.ofSeconds(30))).isNotNull();
      }
      watcher.disconnect().join();

      // A second overheating bearing, acknowledged too, so the acknowledged list has two pages of
      // one. Page tokens are the data API's: bound to their list, refused when altered or foreign.
      publish(publisher, SECOND_DEVICE, 1, 11, 100);
      JsonNode second = NodeTestSupport.awaitJson(api + "/devices/" + SECOND_DEVICE + "/alerts",
          body -> body.path("items").size() == 1, Duration.ofSeconds(30)).path("items").get(0);
      assertThat(NodeTestSupport.postJson(api + "/devices/" + SECOND_DEVICE + "/alerts/" + second.path("alertId").asText()
          + "/acknowledge", "").path("status").asText()).isEqualTo("ACTIVE_ACK");
      String acknowledgedList = api + "/sites/" + site + "/alerts?status=ACTIVE_ACK&limit=1";
      NodeTestSupport.awaitJson(api + "/sites/" + site + "/alerts?status=ACTIVE_ACK",
          body -> body.path("alerts").size() == 2, Duration.ofSeconds(30));
      JsonNode firstPage = NodeTestSupport.getJson(acknowledgedList);
      assertThat(firstPage.path("alerts")).hasSize(1);
      String token = firstPage.path("nextPageToken").asText(null);
      assertThat(token).as("a token to the second of two alerts").isNotNull();
      JsonNode secondPage = NodeTestSupport.getJson(acknowledgedList + "&pageToken=" + token);
      assertThat(secondPage.path("alerts")).hasSize(1);
      assertThat(List.of(firstPage.path("alerts").get(0).path("deviceId").asText(),
          secondPage.path("alerts").get(0).path("deviceId").asText())).containsExactlyInAnyOrder(DEVICE, SECOND_DEVICE);
      String lastToken = secondPage.path("nextPageToken").asText(null);
      if (lastToken != null) { // Cassandra may not know a full page was the last one
        assertThat(NodeTestSupport.getJson(acknowledgedList + "&pageToken=" + lastToken).path("alerts")).isEmpty();
      }
      JsonNode foreign = NodeTestSupport.getJson(api + "/sites/" + site + "/alerts?status=CLEARED_UNACK&pageToken=" + token);
      assertThat(foreign.path("_status").asInt()).isEqualTo(400);
      assertThat(foreign.path("code").asText()).isEqualTo("page.invalid");
      JsonNode garbage = NodeTestSupport.getJson(api + "/sites/" + site + "/alerts?status=ACTIVE_ACK&pageToken=AAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      assertThat(garbage.path("_status").asInt()).isEqualTo(400);
      assertThat(garbage.path("code").asText()).isEqualTo("page.invalid");

      JsonNode summary = NodeTestSupport.getJson(api + "/sites/" + site + "/alerts/summary");
      assertThat(summary.path("open").asInt()).isEqualTo(2);
      assertThat(summary.path("byStatus").path("ACTIVE_ACK").path("major").asInt()).isEqualTo(2);
      assertThat(summary.path("byStatus").path("ACTIVE_UNACK").path("major").asInt()).isZero();
    }

    // A new node on the same Cassandra: the device's actor reads its open alert back, and the
    // overheat that continues updates it rather than raising a second one.
    try (RunningNode node = FleetPulseNode.start(config);
        TestPublisher publisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-alerts"), "alert-device-2", 10)) {
      String api = node.httpUrl() + "/api";
      publish(publisher, 16, 40, 112); // critical from 110
      JsonNode open = NodeTestSupport.awaitJson(api + "/devices/" + DEVICE + "/alerts",
          body -> body.path("items").size() == 1 && body.path("items").get(0).path("severity").asText().equals("CRITICAL"),
          Duration.ofSeconds(30)).path("items");
      assertThat(open).hasSize(1);
      assertThat(open.get(0).path("alertId").asText()).isEqualTo(alertId);
      assertThat(open.get(0).path("status").asText()).isEqualTo("ACTIVE_ACK");
      assertThat(open.get(0).path("triggerCount").asLong()).isGreaterThan(1);

      publish(publisher, 41, 41, 75); // below the clear threshold 80
      publish(publisher, SECOND_DEVICE, 12, 12, 75);
      NodeTestSupport.awaitJson(api + "/devices/" + DEVICE + "/alerts", body -> body.path("items").isEmpty(),
          Duration.ofSeconds(30));
      JsonNode lists = NodeTestSupport.awaitJson(api + "/sites/" + site + "/alerts?status=ACTIVE_ACK",
          body -> body.path("alerts").isEmpty(), Duration.ofSeconds(30));
      assertThat(lists.path("alerts")).as("cleared and acknowledged: off the open lists").isEmpty();
      String range = "?from=" + java.time.Instant.ofEpochMilli(T0 - 3_600_000) + "&to="
          + java.time.Instant.now().plusSeconds(3_600);
      JsonNode history = NodeTestSupport.awaitJson(api + "/data/devices/" + DEVICE + "/alerts" + range,
          body -> body.path("items").size() == 1 && body.path("items").get(0).path("status").asText().equals("CLEARED_ACK"),
          Duration.ofSeconds(30));
      JsonNode stored = history.path("items").get(0);
      assertThat(stored.path("status").asText()).isEqualTo("CLEARED_ACK");
      assertThat(stored.path("acknowledgedBy").asText()).isEqualTo("token:bootstrap");
      assertThat(stored.path("clearedBy").asText()).isEqualTo("system");
      assertThat(stored.path("severity").asText()).isEqualTo("CRITICAL");
    }
  }

  /** Readings {@code from..to} one second apart, bearing at {@code temperature}, the rest normal. */
  private static void publish(TestPublisher publisher, long from, long to, double temperature) throws Exception {
    publish(publisher, DEVICE, from, to, temperature);
  }

  private static void publish(TestPublisher publisher, String device, long from, long to, double temperature) throws Exception {
    for (long sequence = from; sequence <= to; sequence++) {
      publisher.publish(device, sequence, T0 + sequence * 1000, TestPublisher.bearingAt(temperature));
    }
    assertThat(publisher.awaitAcknowledged(10)).isPositive();
  }
}
