package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetpulse.api.registry.MqttLogin;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust at the edge through the whole node: the embedded broker with FleetPulse's access control,
 * the registry's credentials issued, rotated and revoked over the HTTP API, and what reaches
 * storage. A device publishes only as itself; a revoked device is disconnected; a rotated secret
 * lasts its grace period; one device flooding far beyond its quota beside 200 well-behaved ones
 * is refused as {@code rate.limited} while theirs all settle; a device whose counter resets
 * recovers.
 */
class EdgeTrustIT {

  private static final String SITE = TestPublisher.SITE;

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void only_a_devices_own_credentials_let_it_publish_as_that_device_and_rotation_and_revocation_take_effect()
      throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    String keyspace = CASSANDRA.emptyKeyspace();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    try (RunningNode node = FleetPulseNode.start(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, keyspace, "trust",
        brokerPort, directory.resolve("broker")))) {
      String api = node.httpUrl() + "/api";
      MqttLogin pump = provision(api, "rm-trust-1");
      provision(api, "rm-trust-2");

      assertThat(refusal(brokerPort, "intruder", null, null)).as("anonymous")
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      assertThat(refusal(brokerPort, "rm-trust-1", "rm-trust-1", "not-the-secret"))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      assertThat(refusal(brokerPort, "fleetpulse-gateway-trust-1", "rm-trust-1", pump.secret()))
          .as("the gateway's client id").isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);

      long now = System.currentTimeMillis();
      try (TestPublisher own = new TestPublisher(brokerUrl, pump, "main", 10)) {
        own.publish("rm-trust-1", 1, now, TestPublisher.bearingAt(60));
        assertThat(own.awaitAcknowledged(10)).isEqualTo(1);
      }
      NodeTestSupport.awaitJson(api + "/devices/rm-trust-1", device -> device.path("state").path("accepted").asLong() == 1,
          Duration.ofSeconds(30));

      try (TestPublisher impostor = new TestPublisher(brokerUrl, pump, "impostor", 10)) {
        impostor.publish("rm-trust-2", 1, now, TestPublisher.bearingAt(60));
        impostor.awaitAcknowledged(10);
        assertThat(impostor.failed()).as("the broker refused the PUBLISH on rm-trust-2's topic").isEqualTo(1);
      }
      Thread.sleep(1_000);
      assertThat(NodeTestSupport.getJson(api + "/devices/rm-trust-2").path("state").isNull())
          .as("rm-trust-2's actor never saw a message").isTrue();
      assertThat(CASSANDRA.session().execute("SELECT count(*) FROM " + keyspace + ".telemetry_messages_by_device_day"
          + " WHERE device_id = ? AND day = ?", "rm-trust-2", LocalDate.now(ZoneOffset.UTC)).one().getLong(0))
          .as("nothing stored for rm-trust-2").isZero();
      JsonNode summary = NodeTestSupport.getJson(api + "/fleet/summary");
      assertThat(summary.path("brokerRefusals").path("byReason").path("publish.denied").asLong()).isEqualTo(1);
      assertThat(summary.path("brokerRefusals").path("byReason").path("auth.bad-secret").asLong()).isEqualTo(1);
      assertThat(summary.path("brokerRefusals").path("byReason").path("auth.anonymous").asLong()).isEqualTo(1);
      assertThat(NodeTestSupport.getJson(api + "/devices/rm-trust-1").path("brokerRefusals").path("publish.denied").asLong())
          .isEqualTo(1);
      assertThat(NodeTestSupport.getText(node.httpUrl() + "/metrics"))
          .contains("fleetpulse_broker_refused_total{reason=\"publish.denied\"} 1.0");

      // What EMQX asks over HTTP, answered by the same rules, with the gateway's secret as key.
      String key = java.nio.file.Files.readString(directory.resolve("broker").resolve("service-secret")).strip();
      assertThat(brokerQuestion(api + "/mqtt/authenticate", "nope",
          "{\"username\":\"rm-trust-1\",\"password\":\"" + pump.secret() + "\",\"clientid\":\"rm-trust-1\"}")
          .path("code").asText()).isEqualTo("broker-key.invalid");
      assertThat(brokerQuestion(api + "/mqtt/authenticate", key,
          "{\"username\":\"rm-trust-1\",\"password\":\"" + pump.secret() + "\",\"clientid\":\"rm-trust-1\"}")
          .path("result").asText()).isEqualTo("allow");
      assertThat(brokerQuestion(api + "/mqtt/authenticate", key,
          "{\"username\":\"rm-trust-1\",\"password\":\"guess\",\"clientid\":\"rm-trust-1\"}")
          .path("result").asText()).isEqualTo("deny");
      assertThat(brokerQuestion(api + "/mqtt/authenticate", key, "{\"clientid\":\"anyone\"}")
          .path("result").asText()).as("anonymous").isEqualTo("deny");
      assertThat(brokerQuestion(api + "/mqtt/authorize", key, "{\"username\":\"rm-trust-1\",\"clientid\":\"rm-trust-1\","
          + "\"topic\":\"fleet/" + SITE + "/rm-trust-1/telemetry\",\"action\":\"publish\"}").path("result").asText())
          .isEqualTo("allow");
      assertThat(brokerQuestion(api + "/mqtt/authorize", key, "{\"username\":\"rm-trust-1\",\"clientid\":\"rm-trust-1\","
          + "\"topic\":\"fleet/" + SITE + "/rm-trust-2/telemetry\",\"action\":\"publish\"}").path("result").asText())
          .isEqualTo("deny");
      assertThat(brokerQuestion(api + "/mqtt/authorize", key, "{\"username\":\"rm-trust-1\",\"clientid\":\"rm-trust-1\","
          + "\"topic\":\"fleet/#\",\"action\":\"subscribe\"}").path("result").asText()).isEqualTo("deny");

      // Rotation with a 3 s grace: both secrets connect, then only the new one.
      JsonNode rotated = NodeTestSupport.postJson(api + "/devices/rm-trust-1/credentials?graceSeconds=3", "");
      assertThat(rotated.path("_status").asInt()).as("%s", rotated).isEqualTo(200);
      assertThat(rotated.path("credentials")).hasSize(2);
      MqttLogin next = new MqttLogin("rm-trust-1", rotated.path("secret").asText());
      long rotatedAt = System.currentTimeMillis();
      connect(brokerPort, "rm-trust-1-old", pump).disconnect().join();
      connect(brokerPort, "rm-trust-1-new", next).disconnect().join();
      Thread.sleep(Math.max(0, rotatedAt + 3_500 - System.currentTimeMillis()));
      assertThat(refusal(brokerPort, "rm-trust-1-old", "rm-trust-1", pump.secret())).as("after the grace period")
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);

      // Revocation ends the live session and refuses the next CONNECT.
      CountDownLatch disconnected = new CountDownLatch(1);
      Mqtt5AsyncClient live = MqttClient.builder().useMqttVersion5().identifier("rm-trust-1-live")
          .serverHost("127.0.0.1").serverPort(brokerPort)
          .addDisconnectedListener(context -> disconnected.countDown()).buildAsync();
      live.connectWith().simpleAuth().username(next.username()).password(bytes(next.secret())).applySimpleAuth().send().join();
      JsonNode revoked = NodeTestSupport.deleteJson(api + "/devices/rm-trust-1/credentials");
      assertThat(revoked.path("credentials")).isEmpty();
      assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("the revoked device's session ended").isTrue();
      assertThat(refusal(brokerPort, "rm-trust-1", "rm-trust-1", next.secret()))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      assertThat(NodeTestSupport.getJson(api + "/devices/rm-trust-1/history").path("events").findValuesAsText("event"))
          .containsSubsequence("credential-issued", "credential-issued", "credentials-revoked");
    }
  }

  @Test
  void a_device_flooding_far_beyond_its_quota_is_refused_while_its_neighbours_settle_and_a_reset_counter_recovers()
      throws Exception {
    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    int devices = 200;
    int perDevice = 2;
    int flood = 2_000; // rotating-machine: 20 messages/s, a burst of 1,200; offered as fast as the broker takes them
    try (RunningNode node = FleetPulseNode.start(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(),
        "flood", brokerPort, directory.resolve("broker")))) {
      String api = node.httpUrl() + "/api";
      MqttLogin gateway = NodeTestSupport.edgeGateway(node.httpUrl(), "gw-flood");
      long t0 = System.currentTimeMillis() - 600_000;
      long floodStart = System.nanoTime();
      try (TestPublisher neighbours = new TestPublisher(brokerUrl, gateway, "neighbours", 100);
          TestPublisher flooder = new TestPublisher(brokerUrl, gateway, "flooder", 500)) {
        for (int seq = 1; seq <= flood; seq++) {
          flooder.publish("rm-flood", seq, t0 + seq * 100L, TestPublisher.bearingAt(60));
          if (seq % (flood / perDevice) == 0) {
            for (int device = 0; device < devices; device++) {
              neighbours.publish(device, seq / (flood / perDevice), t0 + seq * 100L);
            }
          }
        }
        assertThat(flooder.awaitAcknowledged(500)).isEqualTo(flood);
        assertThat(neighbours.awaitAcknowledged(100)).isEqualTo((long) devices * perDevice);
      }
      long total = flood + (long) devices * perDevice;
      TelemetryAccounting.awaitAcknowledgedByNode(api.replace("/api", ""), total);
      double floodSeconds = (System.nanoTime() - floodStart) / 1e9;

      for (int device = 0; device < devices; device++) {
        JsonNode state = NodeTestSupport.getJson(api + "/devices/" + TestPublisher.deviceId(device)).path("state");
        assertThat(state.path("accepted").asLong()).as("%s", TestPublisher.deviceId(device)).isEqualTo(perDevice);
      }
      JsonNode flooded = NodeTestSupport.getJson(api + "/devices/rm-flood").path("state");
      long limited = flooded.path("rejectsByReason").path("rate.limited").asLong();
      // A token bucket takes at most its burst plus its rate over the time the messages came in.
      assertThat(flooded.path("accepted").asLong()).as("%s", flooded).isLessThanOrEqualTo(1_200 + (long) (20 * floodSeconds) + 20);
      assertThat(limited).isPositive();
      assertThat(flooded.path("accepted").asLong() + limited).isEqualTo(flood);
      assertThat(NodeTestSupport.getJson(api + "/fleet/summary").path("rejectsByReason").path("rate.limited").asLong())
          .isEqualTo(limited);

      // A reboot after 30 messages: the counter starts at 1 again, inside the duplicate window, but
      // timed after everything the device sent, so not redeliveries. The first are refused as too
      // old; from the tenth in a row (fleetpulse.fleet.device.sequence-restart-after) the window
      // restarts at the new counter. The gateway handles a connection's messages concurrently, so
      // which of the twelve restarts it depends on their order at the actor; what must hold is that
      // the device is taken again: every message after the burst is accepted.
      long t1 = System.currentTimeMillis() - 60_000;
      try (TestPublisher rebooting = new TestPublisher(brokerUrl, gateway, "reboot", 10)) {
        for (int seq = 1; seq <= 30; seq++) {
          rebooting.publish("rm-reboot", seq, t1 + seq * 500L, TestPublisher.bearingAt(60));
        }
        rebooting.awaitAcknowledged(10);
        NodeTestSupport.awaitJson(api + "/devices/rm-reboot", device -> device.path("state").path("accepted").asLong() == 30,
            Duration.ofSeconds(30));
        for (int seq = 1; seq <= 12; seq++) {
          rebooting.publish("rm-reboot", seq, t1 + (30 + seq) * 500L, TestPublisher.bearingAt(60));
        }
        rebooting.awaitAcknowledged(10);
        NodeTestSupport.awaitJson(api + "/devices/rm-reboot", device -> device.path("state").path("accepted").asLong()
            + device.path("state").path("rejectsByReason").path("sequence.too-old").asLong() == 42, Duration.ofSeconds(30));
        for (int seq = 13; seq <= 20; seq++) {
          rebooting.publish("rm-reboot", seq, t1 + (30 + seq) * 500L, TestPublisher.bearingAt(60));
        }
        rebooting.awaitAcknowledged(10);
      }
      JsonNode rebooted = NodeTestSupport.awaitJson(api + "/devices/rm-reboot",
          device -> device.path("state").path("highestSequence").asLong() == 20
              && device.path("state").path("accepted").asLong()
                  + device.path("state").path("rejectsByReason").path("sequence.too-old").asLong() == 50,
          Duration.ofSeconds(30)).path("state");
      long tooOld = rebooted.path("rejectsByReason").path("sequence.too-old").asLong();
      assertThat(tooOld).as("%s", rebooted).isBetween(1L, 12L);
      assertThat(rebooted.path("duplicates").asLong()).as("none of the new counter's messages taken for a redelivery")
          .isZero();
    }
  }

  /** Registers a rotating machine of the site through the API: its login, from the secret issued once. */
  private static MqttLogin provision(String api, String deviceId) {
    JsonNode registered = NodeTestSupport.putJson(api + "/devices/" + deviceId,
        "{\"site\":\"" + SITE + "\",\"profile\":\"rotating-machine\"}");
    assertThat(registered.path("_status").asInt()).as("%s", registered).isEqualTo(200);
    assertThat(registered.path("secret").asText()).hasSize(43);
    assertThat(registered.toString()).as("no hash is ever shown").doesNotContain("pbkdf2");
    JsonNode again = NodeTestSupport.putJson(api + "/devices/" + deviceId,
        "{\"site\":\"" + SITE + "\",\"profile\":\"rotating-machine\"}");
    assertThat(again.has("secret")).as("a secret is shown once").isFalse();
    return new MqttLogin(deviceId, registered.path("secret").asText());
  }

  private static Mqtt5AsyncClient connect(int port, String clientId, MqttLogin login) {
    Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(port).buildAsync();
    client.connectWith().simpleAuth().username(login.username()).password(bytes(login.secret())).applySimpleAuth()
        .send().join();
    return client;
  }

  /** The CONNACK reason code of a CONNECT the broker refuses. */
  private static Mqtt5ConnAckReasonCode refusal(int port, String clientId, String username, String secret) {
    Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(port).buildAsync();
    var connect = client.connectWith();
    Mqtt5ConnAckReasonCode[] code = new Mqtt5ConnAckReasonCode[1];
    assertThatThrownBy(() -> (username == null ? connect.send()
            : connect.simpleAuth().username(username).password(bytes(secret)).applySimpleAuth().send()).join())
        .isInstanceOfSatisfying(CompletionException.class,
            e -> code[0] = ((Mqtt5ConnAckException) e.getCause()).getMqttMessage().getReasonCode());
    return code[0];
  }

  /** A broker's access question over HTTP, with {@code key} in the header EMQX is configured to send. */
  private static JsonNode brokerQuestion(String url, String key, String body) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Content-Type", "application/json")
            .header("x-fleetpulse-broker-key", key).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return NodeTestSupport.json(response.body());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
