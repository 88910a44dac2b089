package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device registry and the model decisions are the cluster's, not a node's: two node JVMs
 * against the shared Cassandra and one broker, registration required, each with an inference
 * pool. Node A has no gateway; node B ingests. A device known
 * before the registry was the cluster's (a row of the devices table) is imported once. A device
 * registered through A is accepted by B's gateway; decommissioned through B, A's view refuses it
 * too and B's gateway rejects its next message; two operators moving one device at once through
 * the two nodes both land in its history, one after the other; a CSV upload through B registers
 * its devices with a result per line. A model version promoted through A serves on B's pool; one
 * a profile's binding cannot feed is refused through B for the whole cluster; a shadow started
 * through B runs on A. Both nodes restarted, the registry, the model decisions and the histories
 * come back from Cassandra (the journal and the stored entries), and a rollback through B returns
 * both pools to the version served before.
 */
class ControlPlaneIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  private static final int BULK = 200;
  private static final String RUL = "rul-fd001";
  private static final String FD003 = "rul-fd003";
  private static final Path MODELS = Path.of("..", "models").toAbsolutePath().normalize();

  @TempDir
  Path directory;

  @Test
  void decisions_made_through_one_node_are_in_effect_on_the_other_and_survive_a_restart_of_both() throws Exception {
    String keyspace = CASSANDRA.emptyKeyspace();
    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    GatewaySettings brokerSettings = GatewaySettings.fromConfig(
        NodeTestSupport.nodeConfig("broker", brokerPort, directory.resolve("broker"), null));
    int[] artery = {NodeTestSupport.freePort(), NodeTestSupport.freePort()};
    int[] http = {NodeTestSupport.freePort(), NodeTestSupport.freePort()};
    String seed = "pekko://fleetpulse@127.0.0.1:" + artery[0];
    String a = overrides("a", "[device, inference]", artery[0], seed, brokerUrl, keyspace);
    String b = overrides("b", "[gateway, device, inference]", artery[1], seed, brokerUrl, keyspace);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    // A device FleetPulse knew before the registry was the cluster's: its row in the devices table.
    String legacy = "rm-legacy-" + suffix;
    CASSANDRA.session().execute("INSERT INTO " + keyspace + ".devices (device_id, site, profile, auto_provisioned,"
        + " registered_at) VALUES (?, ?, 'rotating-machine', false, toTimestamp(now()))", legacy, TestPublisher.SITE);
    String pump = "rm-cp-" + suffix;
    String fan = "rm-cp-fan-" + suffix;
    List<String> timings = new ArrayList<>();

    try (EmbeddedBroker broker = EmbeddedBroker.startOpen(brokerSettings.broker())) {
      String revokedToken;
      try (NodeProcess nodeA = NodeProcess.start(directory, "a", http[0], a);
          NodeProcess nodeB = NodeProcess.start(directory, "b", http[1], b);
          TestPublisher devices = new TestPublisher(brokerUrl, "control-plane-devices", 10)) {
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/cluster",
            cluster -> cluster.path("members").size() == 2
                && cluster.path("members").findValuesAsText("status").stream().allMatch("Up"::equals),
            Duration.ofSeconds(60));

        // The earlier device was imported once: B's gateway accepts it, its history says so.
        NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/devices/" + legacy,
            device -> device.path("_status").asInt() == 200, Duration.ofSeconds(30));
        devices.publish(legacy, 1, System.currentTimeMillis(), TestPublisher.bearingAt(60));
        NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/devices/" + legacy,
            device -> device.path("state").path("accepted").asLong() == 1, Duration.ofSeconds(30));
        assertThat(NodeTestSupport.getJson(nodeA.httpUrl() + "/api/devices/" + legacy + "/history")
            .path("events").findValuesAsText("by")).containsExactly("import");

        // Registered through A: B's view has it, and B's gateway accepts the device's message.
        long registeredAt = System.nanoTime();
        JsonNode registered = NodeTestSupport.putJson(nodeA.httpUrl() + "/api/devices/" + pump,
            "{\"site\":\"" + TestPublisher.SITE + "\",\"profile\":\"rotating-machine\"}");
        assertThat(registered.path("_status").asInt()).as("%s", registered).isEqualTo(200);
        NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/devices/" + pump,
            device -> device.path("_status").asInt() == 200, Duration.ofSeconds(10));
        timings.add("registration through A in B's view after " + millisSince(registeredAt) + " ms");
        devices.publish(pump, 1, System.currentTimeMillis(), TestPublisher.bearingAt(60));
        JsonNode accepted = NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/devices/" + pump,
            device -> device.path("state").path("accepted").asLong() == 1, Duration.ofSeconds(30));
        assertThat(accepted.path("registration").path("site").asText()).isEqualTo(TestPublisher.SITE);

        // Decommissioned through B: A refuses it, and B's gateway rejects the next message as unknown.
        long decommissionedAt = System.nanoTime();
        JsonNode decommissioned = NodeTestSupport.postJson(nodeB.httpUrl() + "/api/devices/" + pump + "/decommission", "");
        assertThat(decommissioned.path("decommissioned").asBoolean()).as("%s", decommissioned).isTrue();
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/devices/" + pump,
            device -> device.path("code").asText().equals("device.decommissioned"), Duration.ofSeconds(10));
        timings.add("decommissioning through B in A's view after " + millisSince(decommissionedAt) + " ms");
        long unknownBefore = NodeTestSupport.getJson(nodeB.httpUrl() + "/api/fleet/summary").path("rejectsByReason").path("device.unknown").asLong();
        devices.publish(pump, 2, System.currentTimeMillis(), TestPublisher.bearingAt(60));
        NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/fleet/summary",
            summary -> summary.path("rejectsByReason").path("device.unknown").asLong() == unknownBefore + 1,
            Duration.ofSeconds(30));
        JsonNode again = NodeTestSupport.putJson(nodeA.httpUrl() + "/api/devices/" + pump,
            "{\"site\":\"" + TestPublisher.SITE + "\",\"profile\":\"rotating-machine\"}");
        assertThat(again.path("code").asText()).as("%s", again).isEqualTo("device.decommissioned");

        // Two operators move one device at the same moment through the two nodes: both land.
        NodeTestSupport.putJson(nodeA.httpUrl() + "/api/devices/" + fan, "{\"site\":\"plant-1\",\"profile\":\"rotating-machine\"}");
        CompletableFuture<JsonNode> toSite2 = CompletableFuture.supplyAsync(() -> NodeTestSupport.putJson(
            nodeA.httpUrl() + "/api/devices/" + fan, "{\"site\":\"plant-2\",\"profile\":\"rotating-machine\"}"));
        CompletableFuture<JsonNode> toSite3 = CompletableFuture.supplyAsync(() -> NodeTestSupport.putJson(
            nodeB.httpUrl() + "/api/devices/" + fan, "{\"site\":\"plant-3\",\"profile\":\"rotating-machine\"}"));
        assertThat(List.of(toSite2.join(), toSite3.join())).allSatisfy(reply -> assertThat(reply.path("_status").asInt())
            .as("%s", reply).isEqualTo(200));
        JsonNode history = NodeTestSupport.getJson(nodeB.httpUrl() + "/api/devices/" + fan + "/history");
        assertThat(history.path("events").findValuesAsText("event"))
            .containsExactly("registered", "credential-issued", "moved-to-site", "moved-to-site");
        assertThat(history.path("events").findValuesAsText("site")).contains("plant-2", "plant-3");
        String finalSite = history.path("events").get(3).path("details").path("site").asText();
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/devices/" + fan,
            device -> device.path("registration").path("site").asText().equals(finalSite), Duration.ofSeconds(10));

        // The console's accounts, tokens and sessions are the cluster's: a token made through A is
        // taken by B and its revocation through B refused by A; a session opened on A holds on B.
        JsonNode crossToken = NodeTestSupport.postJson(nodeA.httpUrl() + "/api/tokens",
            "{\"name\":\"cross-node\",\"roles\":[\"viewer\"],\"sites\":[\"*\"]}");
        assertThat(crossToken.path("_status").asInt()).as("%s", crossToken).isEqualTo(201);
        awaitMe(nodeB.httpUrl(), Map.of("Authorization", "Bearer " + crossToken.path("token").asText()), 200);
        NodeTestSupport.deleteJson(nodeB.httpUrl() + "/api/tokens/" + crossToken.path("id").asText());
        revokedToken = crossToken.path("token").asText();
        awaitMe(nodeA.httpUrl(), Map.of("Authorization", "Bearer " + revokedToken), 401);
        assertThat(NodeTestSupport.postJson(nodeA.httpUrl() + "/api/accounts", "{\"name\":\"grace\",\"roles\":[\"operator\"],"
            + "\"sites\":[\"plant-1\"],\"password\":\"" + GRACE_PASSWORD + "\"}").path("_status").asInt()).isEqualTo(201);
        String cookie = signIn(nodeA.httpUrl());
        assertThat(awaitMe(nodeB.httpUrl(), Map.of("Cookie", cookie), 200).path("name").asText()).isEqualTo("grace");

        // A fleet from one CSV upload through B: a result per line, in order; every good line in A's view.
        StringBuilder csv = new StringBuilder("id,site,profile\n");
        for (int i = 0; i < BULK; i++) {
          csv.append("rm-bulk-").append(suffix).append('-').append(i).append(",plant-").append(i % 3)
              .append(",rotating-machine,serial=SN-").append(i).append('\n');
        }
        csv.append("not a device\n").append("rm-bulk-").append(suffix).append("-x,plant-1,toaster\n");
        List<JsonNode> results = bulk(nodeB.httpUrl(), csv.toString());
        assertThat(results).hasSize(BULK + 2);
        assertThat(results.subList(0, BULK)).allSatisfy(line -> assertThat(line.path("outcome").asText()).isEqualTo("registered"));
        assertThat(results.get(0).path("line").asLong()).as("line numbers count the header").isEqualTo(2);
        assertThat(results.get(BULK).path("code").asText()).isEqualTo("request.invalid");
        assertThat(results.get(BULK + 1).path("code").asText()).isEqualTo("profile.unknown");
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/devices?limit=500",
            page -> page.path("devices").findValuesAsText("deviceId").stream()
                .filter(id -> id.startsWith("rm-bulk-" + suffix)).count() == BULK,
            Duration.ofSeconds(10));

        // Model decisions: the turbofan profile binds rul-fd001 on windows of 70 (versions 5 and 6
        // agree, 6 serves at start); rul-fd003 is bound by no profile.
        JsonNode modelsOfB = NodeTestSupport.getJson(nodeB.httpUrl() + "/api/models");
        assertThat(model(modelsOfB, RUL).path("activeVersion").asText()).as("%s", modelsOfB).isEqualTo("6");
        long promotedAt = System.nanoTime();
        JsonNode promoted = NodeTestSupport.postJson(nodeA.httpUrl() + "/api/models/" + RUL + "/versions/5/promote", "");
        assertThat(promoted.path("active").asText()).as("%s", promoted).isEqualTo("5");
        assertThat(promoted.path("rollback").toString()).as("what A served before").isEqualTo("[\"6\"]");
        NodeTestSupport.awaitJson(nodeB.httpUrl() + "/api/models",
            models -> model(models, RUL).path("activeVersion").asText().equals("5"), Duration.ofSeconds(10));
        timings.add("promotion through A served by B's pool after " + millisSince(promotedAt) + " ms");
        JsonNode refused = NodeTestSupport.postJson(nodeB.httpUrl() + "/api/models/" + RUL + "/versions/3/promote", "");
        assertThat(refused.path("code").asText()).as("%s", refused).isEqualTo("model.refused");
        assertThat(refused.path("message").asText()).contains("windows of 70");
        JsonNode shadow = NodeTestSupport.postJson(nodeB.httpUrl() + "/api/models/" + FD003 + "/versions/2/shadow", "");
        assertThat(shadow.path("shadow").asText()).as("%s", shadow).isEqualTo("2");
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/models",
            models -> model(models, FD003).path("shadowVersion").asText().equals("2"), Duration.ofSeconds(10));
        assertThat(model(nodeA.httpUrl(), RUL).path("activeVersion").asText()).isEqualTo("5");
      }

      // Both nodes stopped and started again: the registry comes back from Cassandra.
      try (NodeProcess nodeA = NodeProcess.start(directory, "a-again", http[0], a);
          NodeProcess nodeB = NodeProcess.start(directory, "b-again", http[1], b)) {
        JsonNode pumpAfter = NodeTestSupport.getJson(nodeB.httpUrl() + "/api/devices/" + pump);
        assertThat(pumpAfter.path("code").asText()).as("%s", pumpAfter).isEqualTo("device.decommissioned");
        JsonNode fanAfter = NodeTestSupport.getJson(nodeA.httpUrl() + "/api/devices/" + fan);
        assertThat(fanAfter.path("_status").asInt()).as("%s", fanAfter).isEqualTo(200);
        // The console's state is back too: the account signs in on B, the revoked token stays refused.
        awaitMe(nodeB.httpUrl(), Map.of("Cookie", signIn(nodeB.httpUrl())), 200);
        assertThat(awaitMe(nodeA.httpUrl(), Map.of("Authorization", "Bearer " + revokedToken), 401)
            .path("code").asText()).isEqualTo("auth.invalid");
        JsonNode pumpHistory = NodeTestSupport.getJson(nodeA.httpUrl() + "/api/devices/" + pump + "/history");
        assertThat(pumpHistory.path("events").findValuesAsText("event"))
            .containsExactly("registered", "credential-issued", "decommissioned");
        assertThat(pumpHistory.path("events").findValuesAsText("by"))
            .containsExactly("token:bootstrap", "token:bootstrap", "token:bootstrap");

        // ... and so do the model decisions: both pools serve what was decided before the restart.
        for (NodeProcess node : List.of(nodeA, nodeB)) {
          JsonNode models = NodeTestSupport.getJson(node.httpUrl() + "/api/models");
          assertThat(model(models, RUL).path("activeVersion").asText()).as("%s", models).isEqualTo("5");
          assertThat(model(models, FD003).path("shadowVersion").asText()).as("%s", models).isEqualTo("2");
        }
        JsonNode rolledBack = NodeTestSupport.postJson(nodeB.httpUrl() + "/api/models/" + RUL + "/rollback", "");
        assertThat(rolledBack.path("active").asText()).as("%s", rolledBack).isEqualTo("6");
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/models",
            models -> model(models, RUL).path("activeVersion").asText().equals("6"), Duration.ofSeconds(10));
        JsonNode modelHistory = NodeTestSupport.getJson(nodeA.httpUrl() + "/api/models/" + RUL + "/history");
        assertThat(modelHistory.path("events").findValuesAsText("event")).containsExactly("promoted", "rolled-back");
        assertThat(modelHistory.path("events").findValuesAsText("by")).containsExactly("token:bootstrap", "token:bootstrap");
        assertThat(NodeTestSupport.getJson(nodeA.httpUrl() + "/api/models/-rul/history").path("code").asText())
            .as("a name that cannot be a model's").isEqualTo("request.invalid");
      }
    }
    timings.forEach(line -> System.out.println("control plane: " + line));
  }

  private static JsonNode model(String api, String name) {
    return model(NodeTestSupport.getJson(api + "/api/models"), name);
  }

  /** One model of a pool's list (GET /api/models, its array under "items"), or a missing node. */
  private static JsonNode model(JsonNode models, String name) {
    for (JsonNode model : models.path("items")) {
      if (model.path("name").asText().equals(name)) {
        return model;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static final String GRACE_PASSWORD = "grace's long password";

  /** Signs grace in through the node's API; the session cookie ({@code name=value}). */
  private static String signIn(String api) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/api/session"))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"grace\",\"password\":\"" + GRACE_PASSWORD + "\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s", response.body()).isEqualTo(200);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** Polls GET /api/me with {@code headers} until it answers {@code status} (10 s at most). */
  private static JsonNode awaitMe(String api, Map<String, String> headers, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/api/me"));
      headers.forEach(request::header);
      java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(request.build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == status) {
        return NodeTestSupport.json(response.body());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("GET " + api + "/api/me did not answer " + status + " within 10 s: " + response.statusCode()
            + " " + response.body());
      }
      Thread.sleep(100);
    }
  }

  /** POSTs a CSV upload and reads the JSON line of every input line. */
  private static List<JsonNode> bulk(String api, String csv) throws Exception {
    java.net.http.HttpResponse<java.util.stream.Stream<String>> response = java.net.http.HttpClient.newHttpClient().send(
        NodeTestSupport.request(api + "/api/devices/bulk")
            .header("Content-Type", "text/csv")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(csv)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body().map(NodeTestSupport::json).toList();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String overrides(String name, String roles, int arteryPort, String seed, String brokerUrl,
      String keyspace) {
    return """
        fleetpulse.node.name = "%s"
        fleetpulse.gateway.broker.embedded = false
        fleetpulse.gateway.broker.url = "%s"
        fleetpulse.gateway.registration.required = true
        pekko.cluster.roles = %s
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = ["%s"]
        fleetpulse.serving.registry-directory = "%s"
        """.formatted(name, brokerUrl, roles, arteryPort, seed, MODELS) + CASSANDRA.nodeOverrides(keyspace);
  }
}
