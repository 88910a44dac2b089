package io.fleetpulse.node.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.node.NodeSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's Pekko Management wiring with the node's own application.conf: the endpoints Kubernetes
 * probes, and the cluster bootstrap (here with config-based discovery standing in for the
 * Kubernetes API). No Cassandra, no broker: only the actor system and the management HTTP server.
 */
class NodeManagementTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;

  @AfterEach
  void stop() {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void is_alive_at_once_but_ready_only_once_a_cluster_member_that_finished_starting() throws Exception {
    int port = freePort();
    Config config = nodeConfig(port, "fleetpulse.node.join-self-without-seed-nodes = false");
    system = ActorSystem.create(Behaviors.empty(), "fleetpulse", config);

    assertThat(NodeManagement.start(system, config, NodeSettings.fromConfig(config)))
        .isEqualTo(NodeManagement.JoinedBy.NONE);
    assertThat(status(port, "/alive")).isEqualTo(200);
    assertThat(status(port, "/ready")).as("not a member yet").isNotEqualTo(200);

    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    awaitTrue(() -> cluster.selfMember().status() == MemberStatus.up());
    assertThat(status(port, "/ready")).as("member, but the node has not finished starting").isNotEqualTo(200);

    NodeReadiness.ID.get(system.classicSystem()).started(() -> true);
    assertThat(status(port, "/ready")).isEqualTo(200);

    NodeReadiness.ID.get(system.classicSystem()).started(() -> false);
    assertThat(status(port, "/ready")).as("the node says it cannot take work (gateway unsubscribed)").isNotEqualTo(200);
    assertThat(status(port, "/alive")).isEqualTo(200);
  }

  @Test
  void joins_itself_without_seed_nodes_when_management_is_off() throws Exception {
    int port = freePort();
    Config config = ConfigFactory.parseString("fleetpulse.node.management.enabled = false")
        .withFallback(nodeConfig(port, ""));
    system = ActorSystem.create(Behaviors.empty(), "fleetpulse", config);

    assertThat(NodeManagement.start(system, config, NodeSettings.fromConfig(config)))
        .isEqualTo(NodeManagement.JoinedBy.SELF);
    awaitTrue(() -> Cluster.get(system).selfMember().status() == MemberStatus.up());
    assertThat(reachable(port)).as("no management endpoint when disabled").isFalse();
  }

  @Test
  void bootstrap_forms_a_new_cluster_from_the_discovered_contact_points() throws Exception {
    int port = freePort();
    // Config discovery lists this node as the only contact point; the bootstrap probes it over
    // management HTTP and, as the lowest address, forms a new cluster.
    Config config = nodeConfig(port, """
        fleetpulse.node.management.cluster-bootstrap = true
        pekko.management.cluster.bootstrap.contact-point-discovery {
          discovery-method = config
          required-contact-point-nr = 1
          stable-margin = 1s
        }
        pekko.discovery.config.services.fleetpulse.endpoints = [{ host = "127.0.0.1", port = %d }]
        """.formatted(port));
    system = ActorSystem.create(Behaviors.empty(), "fleetpulse", config);

    assertThat(NodeManagement.start(system, config, NodeSettings.fromConfig(config)))
        .isEqualTo(NodeManagement.JoinedBy.BOOTSTRAP);
    NodeReadiness.ID.get(system.classicSystem()).started(() -> true);
    awaitTrue(() -> Cluster.get(system).selfMember().status() == MemberStatus.up());
    assertThat(status(port, "/ready")).isEqualTo(200);
  }

  @Test
  void refuses_bootstrap_without_management() {
    Config config = nodeConfig(0, """
        fleetpulse.node.management.enabled = false
        fleetpulse.node.management.cluster-bootstrap = true
        """);
    system = ActorSystem.create(Behaviors.empty(), "fleetpulse", config);

    assertThatThrownBy(() -> NodeManagement.start(system, config, NodeSettings.fromConfig(config)))
        .hasMessageContaining("needs fleetpulse.node.management.enabled");
  }

  @Test
  void management_is_off_by_default() {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.load());

    assertThat(settings.management().enabled()).isFalse();
    assertThat(settings.management().clusterBootstrap()).isFalse();
  }

  /** The node's application.conf with management on at a free port, for a test JVM. */
  private static Config nodeConfig(int managementPort, String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString("""
            fleetpulse.node.management.enabled = true
            pekko.management.http.port = %d
            pekko.remote.artery.canonical.port = 0
            pekko.coordinated-shutdown.exit-jvm = off
            """.formatted(managementPort)))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private int status(int port, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private boolean reachable(int port) throws InterruptedException {
    try {
      status(port, "/alive");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition not met within %s", WAIT).isBefore(deadline);
      Thread.sleep(50);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
