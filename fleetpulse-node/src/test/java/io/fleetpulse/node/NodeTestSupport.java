package io.fleetpulse.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** Starts real nodes on free loopback ports and reads their HTTP API, for integration tests. */
final class NodeTestSupport {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private NodeTestSupport() {}

  /**
   * The admin API token every test node installs at start (the build sets it for test JVMs and the
   * node JVMs they start: fleetpulse.security.tokens.bootstrap-admin-token).
   */
  static String adminToken() {
    String token = System.getenv("FLEETPULSE_BOOTSTRAP_ADMIN_TOKEN");
    if (token == null) {
      throw new IllegalStateException("FLEETPULSE_BOOTSTRAP_ADMIN_TOKEN is not set: run the test through Maven");
    }
    return token;
  }

  /** A request to {@code url} with the admin token. */
  static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + adminToken());
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /**
   * Node configuration for a test: free HTTP and cluster ports, coordinated shutdown that leaves
   * the test JVM alive, and either the embedded broker on {@code brokerPort} (data under {@code
   * dataDirectory}) or an external broker at {@code externalBrokerUrl}.
   */
  static Config nodeConfig(String nodeName, int brokerPort, Path dataDirectory, String externalBrokerUrl) {
    boolean embedded = externalBrokerUrl == null;
    String url = embedded ? "tcp://127.0.0.1:" + brokerPort : externalBrokerUrl;
    return ConfigFactory.parseString(
            """
            fleetpulse.node.name = "%s"
            fleetpulse.node.http.port = %d
            fleetpulse.gateway.broker.embedded = %s
            fleetpulse.gateway.broker.url = "%s"
            fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
            fleetpulse.gateway.broker.embedded-broker.tls.port = %d
            fleetpulse.persistence.cassandra.embedded.runtime-classpath = "../cassandra-runtime/target/lib"
            fleetpulse.persistence.cassandra.embedded.data-directory = "%s"
            fleetpulse.persistence.cassandra.embedded.native-port = %d
            fleetpulse.persistence.cassandra.embedded.storage-port = %d
            pekko.remote.artery.canonical.port = 0
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """
                .formatted(nodeName, freePort(), embedded, url, dataDirectory.toString().replace("\\", "/"), freePort(),
                    dataDirectory.resolveSibling(dataDirectory.getFileName() + "-cassandra").toString().replace("\\", "/"),
                    freePort(), freePort()))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /**
   * {@link #nodeConfig} with the embedded broker, storing in {@code keyspace} of the JVM's shared
   * Cassandra node instead of starting one of its own.
   */
  static Config nodeConfigStoringIn(io.fleetpulse.testkit.SharedCassandra cassandra, String keyspace,
      String nodeName, int brokerPort, Path dataDirectory) {
    return cassandra.nodeConfig(keyspace).withFallback(nodeConfig(nodeName, brokerPort, dataDirectory, null));
  }

  /** {@code text} parsed as JSON; fails the test when it is not. */
  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  static JsonNode getJson(String url) {
    try {
      HttpResponse<String> response =
          HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofString());
      return withStatus(JSON.readTree(response.body()), response.statusCode());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String getText(String url) {
    try {
      return HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Registers an edge gateway of {@link TestPublisher#SITE} through the node's API and returns its
   * login: the secret from its provisioning, or from a rotation when it was registered before.
   */
  static io.fleetpulse.api.registry.MqttLogin edgeGateway(String httpUrl, String gatewayId) {
    return edgeGateway(httpUrl, gatewayId, TestPublisher.SITE);
  }

  /** As {@link #edgeGateway(String, String)} for {@code site}. */
  static io.fleetpulse.api.registry.MqttLogin edgeGateway(String httpUrl, String gatewayId, String site) {
    JsonNode registered = putJson(httpUrl + "/api/devices/" + gatewayId,
        "{\"site\":\"" + site + "\",\"profile\":\"edge-gateway\"}");
    if (registered.path("_status").asInt() != 200) {
      throw new IllegalStateException("cannot register edge gateway " + gatewayId + ": " + registered);
    }
    JsonNode issued = registered.hasNonNull("secret") ? registered
        : postJson(httpUrl + "/api/devices/" + gatewayId + "/credentials", "");
    if (!issued.hasNonNull("secret")) {
      throw new IllegalStateException("no secret for edge gateway " + gatewayId + ": " + issued);
    }
    return new io.fleetpulse.api.registry.MqttLogin(gatewayId, issued.path("secret").asText());
  }

  static JsonNode putJson(String url, String body) {
    return send("PUT", url, body);
  }

  static JsonNode deleteJson(String url) {
    return send("DELETE", url, "");
  }

  static JsonNode postJson(String url, String body) {
    return send("POST", url, body);
  }

  private static JsonNode send(String method, String url, String body) {
    try {
      HttpResponse<String> response = HTTP.send(
          request(url)
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      return withStatus(JSON.readTree(response.body()), response.statusCode());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The body with the HTTP status as {@code _status}; an array body is under {@code items}. */
  private static JsonNode withStatus(JsonNode body, int status) {
    com.fasterxml.jackson.databind.node.ObjectNode object;
    if (body.isObject()) {
      object = (com.fasterxml.jackson.databind.node.ObjectNode) body;
    } else {
      object = JSON.createObjectNode();
      object.set("items", body);
    }
    return object.put("_status", status);
  }

  /**
   * Polls {@code url} until {@code condition} holds and returns that body; fails with the last
   * body when the timeout passes first.
   */
  static JsonNode awaitJson(String url, Predicate<JsonNode> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = getJson(url);
    while (!condition.test(last)) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("GET " + url + " did not reach the expected state within " + timeout + "; last answer: " + last);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + url, e);
      }
      last = getJson(url);
    }
    return last;
  }
}
