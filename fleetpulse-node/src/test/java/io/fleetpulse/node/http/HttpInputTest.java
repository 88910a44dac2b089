package io.fleetpulse.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.node.NodeSettings;
import io.fleetpulse.node.alerts.AlertFeed;
import io.fleetpulse.persistence.query.BucketReader;
import io.fleetpulse.queryapi.QueryApiSettings;
import io.fleetpulse.queryapi.QueryRoutes;
import io.fleetpulse.serving.pool.InferencePool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input at the HTTP side, without Cassandra, a broker or a cluster: the node's error handling
 * ({@link RequestErrors}) around the real alert and model routes, behind the data API's routes as
 * the node mounts them. A device actor or the model decisions are never reached here: the routes
 * get none (null), so reaching them would be a 500, not the answer asserted.
 */
class HttpInputTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String ALERT = "00000000-0000-0000-0000-000000000001";
  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static TestProbe<InferencePool.Command> pool;

  @BeforeAll
  static void bind() {
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.fail-mixed-versions = off
            pekko.http.server.parsing.max-content-length = 1k
            pekko.http.server.parsing.error-handler = "io.fleetpulse.node.http.JsonParsingErrors"
            """).withFallback(ConfigFactory.defaultReference()).resolve();
    testKit = ActorTestKit.create("HttpInputTest", config);
    pool = testKit.createTestProbe();
    JsonResponses json = new JsonResponses(NodeRoutes.JSON);
    // The console's gate is not under test here: every request is an admin's, as the gate would pass it.
    io.fleetpulse.security.ConsoleSecurity security = new io.fleetpulse.security.ConsoleSecurity(
        io.fleetpulse.security.AccessRules.node(), new io.fleetpulse.security.Authenticator(
            new io.fleetpulse.control.access.AccessView(), Optional.empty(), java.time.Clock.systemUTC()),
        id -> Optional.empty(), new io.fleetpulse.security.MemoryAuditLog(10),
        io.fleetpulse.security.SecuritySettings.fromConfig(config), NodeRoutes.JSON, java.time.Clock.systemUTC());
    io.fleetpulse.security.Identity admin = new io.fleetpulse.security.Identity("test", io.fleetpulse.security.Identity.Kind.API_TOKEN,
        java.util.Set.of(io.fleetpulse.control.access.ConsoleRole.ADMIN), java.util.Set.of("*"), Optional.empty(), "test",
        Long.MAX_VALUE);
    AlertRoutes alerts = new AlertRoutes(testKit.system(), null, Optional.empty(), json, NodeRoutes.JSON,
        new AlertFeed(10, NodeRoutes.JSON), NodeSettings.fromConfig(config).alerts(), security, "rm-1"::equals);
    ModelRoutes models = new ModelRoutes(testKit.system(), pool.ref(), null, security, Duration.ofSeconds(1), json);
    Materializer materializer = Materializer.matFromSystem(testKit.system());
    Route node = Directives.mapRequest(request -> request.addAttribute(io.fleetpulse.security.ConsoleSecurity.IDENTITY, admin),
        () -> Directives.handleExceptions(RequestErrors.exceptions(json), () ->
        Directives.handleRejections(RequestErrors.rejections(json), () -> Directives.pathPrefix("api", () -> Directives.concat(
            Directives.pathPrefix("devices", () -> Directives.concat(
                Directives.path("bulk", () -> Directives.post(() -> Directives.extractRequestEntity(entity ->
                    Directives.onSuccess(entity.withoutSizeLimit().getDataBytes()
                            .runFold(0, (size, bytes) -> size + bytes.size(), materializer),
                        size -> Directives.complete(HttpEntities.create("read " + size)))))),
                Directives.pathPrefix(PathMatchers.segment(), alerts::deviceRoutes),
                Directives.path(PathMatchers.segment(), id -> Directives.put(() ->
                    json.body(NodeRoutes.RegistrationRequest.class, request -> json.ok(request)))))),
            models.route(),
            Directives.path("failing", () -> Directives.get(() -> {
              throw new IllegalStateException("cannot read /var/lib/fleetpulse/models/x/1/model.onnx");
            })),
            Directives.path("failing-later", () -> Directives.get(() -> Directives.onSuccess(
                CompletableFuture.<String>supplyAsync(() -> {
                  throw new IllegalStateException("cannot read /var/lib/fleetpulse/models/x/1/model.onnx");
                }), Directives::complete))))))));
    QueryApiSettings querySettings = QueryApiSettings.fromConfig(config);
    QueryRoutes data = new QueryRoutes(testKit.system(), new BucketReader(timingOut(), "fleetpulse",
        querySettings.queryTimeout(), testKit.system().executionContext()), querySettings);
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(Directives.concat(data.route(), node)).toCompletableFuture().join();
  }

  @AfterAll
  static void unbind() {
    binding.unbind().toCompletableFuture().join();
    testKit.shutdownTestKit();
  }

  @Test
  void refuses_a_null_empty_or_malformed_body_with_400() throws Exception {
    // Acknowledge and clear take no body or null as "no note"; a registration needs one.
    for (String body : new String[] {"null", "", "{\"note\": ", "[1, 2]", "\"ada\""}) {
      java.util.List<HttpResponse<String>> responses = new java.util.ArrayList<>();
      responses.add(send("PUT", "/api/devices/rm-2", body));
      if (!body.equals("null") && !body.isEmpty()) {
        responses.add(send("POST", "/api/devices/rm-1/alerts/" + ALERT + "/acknowledge", body));
        responses.add(send("POST", "/api/devices/rm-1/alerts/" + ALERT + "/clear", body));
      }
      for (HttpResponse<String> response : responses) {
        assertThat(response.statusCode()).as("%s %s", response.uri(), body).isEqualTo(400);
        assertThat(code(response)).isEqualTo("request.invalid");
      }
    }
  }

  @Test
  void reads_a_well_formed_body() throws Exception {
    HttpResponse<String> register = send("PUT", "/api/devices/rm-2", "{\"site\": \"plant-1\", \"profile\": \"p\"}");

    assertThat(register.statusCode()).isEqualTo(200);
    assertThat(NodeRoutes.JSON.readTree(register.body()).path("site").asText()).isEqualTo("plant-1");
  }

  @Test
  void answers_an_unknown_devices_alerts_404_without_asking_its_actor() throws Exception {
    HttpResponse<String> open = send("GET", "/api/devices/nobody/alerts", null);
    HttpResponse<String> acknowledge = send("POST", "/api/devices/nobody/alerts/" + ALERT + "/acknowledge", "{\"by\": \"ada\"}");
    HttpResponse<String> clear = send("POST", "/api/devices/nobody/alerts/" + ALERT + "/clear", "{\"by\": \"ada\"}");

    for (HttpResponse<String> response : java.util.List.of(open, acknowledge, clear)) {
      assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(404);
      assertThat(code(response)).isEqualTo("device.unknown");
    }
  }

  @Test
  void refuses_model_names_that_are_no_registry_directory_before_the_pool_hears_of_them() throws Exception {
    String[] bad = {"..%2F..%2Fetc", "a%2Fb", "a%5Cb", "a%00b", ".hidden", "a%20b", "..a", "x".repeat(65)};
    for (String name : bad) {
      for (String path : new String[] {"/versions/1/load", "/versions/1/promote", "/versions/1/shadow", "/rollback"}) {
        HttpResponse<String> response = send("POST", "/api/models/" + name + path, "");
        assertThat(response.statusCode()).as(name + path).isEqualTo(400);
        assertThat(code(response)).as(name + path).isEqualTo("request.invalid");
      }
      HttpResponse<String> version = send("POST", "/api/models/rul/versions/" + name + "/load", "");
      HttpResponse<String> shadow = send("DELETE", "/api/models/" + name + "/shadow", null);
      HttpResponse<String> history = send("GET", "/api/models/" + name + "/history", null);
      for (HttpResponse<String> response : java.util.List.of(version, shadow, history)) {
        assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(400);
        assertThat(code(response)).isEqualTo("request.invalid");
      }
    }
    pool.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void a_raw_dot_dot_or_backslash_does_not_reach_a_model() throws Exception {
    for (String target : new String[] {"/api/models/../versions/1/load", "/api/models/rul/versions/../load",
        "/api/models/a\\b/versions/1/load", "/api/models/rul/versions/..\\..\\1/load"}) {
      String response = raw("POST " + target + " HTTP/1.1");

      // Pekko collapses dot segments (404 route.unknown); a raw backslash is not a valid request-target.
      assertThat(response).as(target).matches("(?s)HTTP/1.1 (404|400) .*")
          .contains("Content-Type: application/json").containsPattern("\"code\":\"(route.unknown|request.invalid)\"");
    }
    pool.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void answers_another_method_405_with_allow() throws Exception {
    HttpResponse<String> list = send("POST", "/api/devices/rm-1/alerts", "{}");
    HttpResponse<String> acknowledge = send("GET", "/api/devices/rm-1/alerts/" + ALERT + "/acknowledge", null);

    assertThat(list.statusCode()).isEqualTo(405);
    assertThat(code(list)).isEqualTo("method.unsupported");
    assertThat(list.headers().firstValue("Allow")).contains("GET");
    assertThat(acknowledge.statusCode()).isEqualTo(405);
    assertThat(acknowledge.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void the_data_api_and_the_node_keep_their_own_405_and_404() throws Exception {
    HttpResponse<String> data = send("POST", "/api/data/devices/rm-1/rollups", "");
    HttpResponse<String> node = send("DELETE", "/api/devices/rm-1/alerts", null);
    HttpResponse<String> unknown = send("GET", "/api/nowhere", null);

    assertThat(data.statusCode()).isEqualTo(405);
    assertThat(code(data)).isEqualTo("method.unsupported");
    assertThat(data.headers().firstValue("Allow")).contains("GET");
    assertThat(node.statusCode()).isEqualTo(405);
    assertThat(code(node)).isEqualTo("method.unsupported");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("route.unknown");
  }

  @Test
  void answers_another_media_type_415() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/api/devices/rm-1/alerts/" + ALERT + "/clear"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"ada\"}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(code(response)).isEqualTo("media-type.unsupported");
  }

  @Test
  void answers_a_body_over_the_limit_413_but_streams_the_bulk_upload_without_one() throws Exception {
    String large = "{\"by\": \"ada\", \"note\": \"" + "x".repeat(2048) + "\"}";

    HttpResponse<String> acknowledge = send("POST", "/api/devices/rm-1/alerts/" + ALERT + "/acknowledge", large);
    HttpResponse<String> register = send("PUT", "/api/devices/rm-2", large);
    HttpResponse<String> bulk = send("POST", "/api/devices/bulk", "x".repeat(64 * 1024));

    for (HttpResponse<String> response : java.util.List.of(acknowledge, register)) {
      assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(413);
      assertThat(code(response)).isEqualTo("request.too-large");
    }
    assertThat(bulk.statusCode()).isEqualTo(200);
    assertThat(bulk.body()).isEqualTo("read " + 64 * 1024);
  }

  @Test
  void a_failure_is_json_and_names_no_path() throws Exception {
    for (String path : new String[] {"/api/failing", "/api/failing-later"}) {
      HttpResponse<String> response = send("GET", path, null);

      assertThat(response.statusCode()).as(path).isIn(500, 503);
      assertThat(code(response)).as(path).isIn("internal.error", "service.unavailable");
      assertThat(response.body()).as(path).doesNotContain("/var/lib").doesNotContain("model.onnx");
    }
  }

  private static HttpResponse<String> send(String method, String path, String jsonBody) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (jsonBody == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request line sent as it is, unlike {@link HttpClient}, which would refuse or normalise some. */
  private static String raw(String requestLine) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", binding.localAddress().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write((requestLine + "\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  private static String code(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = NodeRoutes.JSON.readTree(response.body());
    assertThat(body.path("message").asText()).isNotBlank();
    return body.path("code").asText();
  }

  /** A session whose every query times out: the data API's routes answer without Cassandra. */
  private static CqlSession timingOut() {
    return (CqlSession) Proxy.newProxyInstance(HttpInputTest.class.getClassLoader(), new Class<?>[] {CqlSession.class},
        (proxy, method, args) -> {
          if (method.getName().equals("prepareAsync") || method.getName().equals("executeAsync")) {
            return CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT5S"));
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
