package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.gateway.DeviceGateway;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.testkit.SharedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device registry is the cluster's, not a node's: two node JVMs against the shared Cassandra
 * and one broker, registration required. Node A has no gateway; node B ingests. A device known
 * before the registry was the cluster's (a row of the devices table) is imported once. A device
 * registered through A is accepted by B's gateway; decommissioned through B, A's view refuses it
 * too and B's gateway rejects its next message; two operators moving one device at once through
 * the two nodes both land in its history, one after the other; a CSV upload through B registers
 * its devices with a result per line; both nodes restarted, the registry and the history come
 * back from Cassandra (the journal and the stored entries).
 */
class ControlPlaneIT {

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  private static final int BULK = 200;

  @TempDir
  Path directory;

  @Test
  void registrations_made_through_one_node_are_in_effect_on_the_other_and_survive_a_restart_of_both() throws Exception {
    String keyspace = CASSANDRA.emptyKeyspace();
    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    GatewaySettings brokerSettings = GatewaySettings.fromConfig(
        NodeTestSupport.nodeConfig("broker", brokerPort, directory.resolve("broker"), null));
    int[] artery = {NodeTestSupport.freePort(), NodeTestSupport.freePort()};
    int[] http = {NodeTestSupport.freePort(), NodeTestSupport.freePort()};
    String seed = "pekko://fleetpulse@127.0.0.1:" + artery[0];
    String a = overrides("a", "[device, inference]", artery[0], seed, brokerUrl, keyspace);
    String b = overrides("b", "[gateway, device]", artery[1], seed, brokerUrl, keyspace);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    // A device FleetPulse knew before the registry was the cluster's: its row in the devices table.
    String legacy = "rm-legacy-" + suffix;
    CASSANDRA.session().execute("INSERT INTO " + keyspace + ".devices (device_id, site, profile, auto_provisioned,"
        + " registered_at) VALUES (?, ?, 'rotating-machine', false, toTimestamp(now()))", legacy, TestPublisher.SITE);
    String pump = "rm-cp-" + suffix;
    String fan = "rm-cp-fan-" + suffix;
    List<String> timings = new ArrayList<>();

    try (EmbeddedBroker broker = DeviceGateway.startEmbeddedBroker(brokerSettings).orElseThrow()) {
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
            .containsExactly("registered", "moved-to-site", "moved-to-site");
        assertThat(history.path("events").findValuesAsText("site")).contains("plant-2", "plant-3");
        String finalSite = history.path("events").get(2).path("details").path("site").asText();
        NodeTestSupport.awaitJson(nodeA.httpUrl() + "/api/devices/" + fan,
            device -> device.path("registration").path("site").asText().equals(finalSite), Duration.ofSeconds(10));

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
      }

      // Both nodes stopped and started again: the registry comes back from Cassandra.
      try (NodeProcess nodeA = NodeProcess.start(directory, "a-again", http[0], a);
          NodeProcess nodeB = NodeProcess.start(directory, "b-again", http[1], b)) {
        JsonNode pumpAfter = NodeTestSupport.getJson(nodeB.httpUrl() + "/api/devices/" + pump);
        assertThat(pumpAfter.path("code").asText()).as("%s", pumpAfter).isEqualTo("device.decommissioned");
        JsonNode fanAfter = NodeTestSupport.getJson(nodeA.httpUrl() + "/api/devices/" + fan);
        assertThat(fanAfter.path("_status").asInt()).as("%s", fanAfter).isEqualTo(200);
        JsonNode pumpHistory = NodeTestSupport.getJson(nodeA.httpUrl() + "/api/devices/" + pump + "/history");
        assertThat(pumpHistory.path("events").findValuesAsText("event")).containsExactly("registered", "decommissioned");
        assertThat(pumpHistory.path("events").findValuesAsText("by")).containsExactly("a", "b");
      }
    }
    timings.forEach(line -> System.out.println("control plane: " + line));
  }

  /** POSTs a CSV upload and reads the JSON line of every input line. */
  private static List<JsonNode> bulk(String api, String csv) throws Exception {
    java.net.http.HttpResponse<java.util.stream.Stream<String>> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/api/devices/bulk"))
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
        """.formatted(name, brokerUrl, roles, arteryPort, seed) + CASSANDRA.nodeOverrides(keyspace);
  }
}
