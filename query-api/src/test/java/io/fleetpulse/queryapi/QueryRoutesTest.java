package io.fleetpulse.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.query.BucketReader;
import io.fleetpulse.persistence.query.Datasets;
import io.fleetpulse.persistence.query.Query;
import io.fleetpulse.persistence.query.TimeRange;
import io.fleetpulse.queryapi.export.ExportFormat;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP surface without Cassandra: a session whose every query times out. Validation must answer
 * before any query, and a storage failure must be a JSON 503, never a stack trace.
 */
class QueryRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger QUERIES = new AtomicInteger();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ActorTestKit testKit;
  private static ServerBinding binding;

  @BeforeAll
  static void bind() {
    testKit = ActorTestKit.create();
    CqlSession timingOut = (CqlSession) Proxy.newProxyInstance(QueryRoutesTest.class.getClassLoader(),
        new Class<?>[] {CqlSession.class}, (proxy, method, args) -> {
          if (method.getName().equals("prepareAsync") || method.getName().equals("executeAsync")) {
            QUERIES.incrementAndGet();
            return CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT5S"));
          }
          throw new UnsupportedOperationException(method.getName());
        });
    QueryApiSettings settings = QueryApiSettings.fromConfig(ConfigFactory.load());
    QueryRoutes routes = new QueryRoutes(testKit.system(),
        new BucketReader(timingOut, "fleetpulse", settings.queryTimeout(), testKit.system().executionContext()), settings);
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(Directives.concat(routes.route(), Directives.complete("the node's own routes")))
        .toCompletableFuture().join();
  }

  @AfterAll
  static void unbind() {
    binding.unbind().toCompletableFuture().join();
    testKit.shutdownTestKit();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + pathAndQuery);
  }

  private static String code(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("message").asText()).isNotBlank();
    return body.path("code").asText();
  }

  @Test
  void leaves_paths_outside_api_data_to_the_routes_mounted_after_it() throws Exception {
    for (String path : new String[] {"/api/devices", "/api/database", "/api/data-export", "/"}) {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isEqualTo("the node's own routes");
    }
  }

  @Test
  void lists_the_six_endpoints() throws Exception {
    HttpResponse<String> response = get("/api/data");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("endpoints")).hasSize(6);
  }

  @Test
  void refuses_bad_input_without_querying_cassandra() throws Exception {
    int before = QUERIES.get();

    HttpResponse<String> missing = get("/api/data/devices/rm-1/rollups?from=2026-11-29T23:00:00Z");
    HttpResponse<String> wide = get("/api/data/sites/plant-1/rollups?from=2026-11-01T00:00:00Z&to=2026-11-05T00:00:00Z");
    HttpResponse<String> format = get("/api/data/sites/plant-1/alerts?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&format=xlsx");

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(code(missing)).isEqualTo("range.missing");
    assertThat(wide.statusCode()).isEqualTo(400);
    assertThat(code(wide)).isEqualTo("range.too-wide");
    assertThat(format.statusCode()).isEqualTo(400);
    assertThat(code(format)).isEqualTo("format.unsupported");
    assertThat(QUERIES.get()).isEqualTo(before);
  }

  @Test
  void answers_unknown_resources_and_other_methods_in_json() throws Exception {
    HttpResponse<String> unknown = get("/api/data/devices/rm-1/telemetry?from=2026-11-29T23:00:00Z&to=2026-11-30T00:00:00Z");
    HttpResponse<String> prefixOnly = get("/api/data/devicesx/rm-1/rollups?from=2026-11-29T23:00:00Z&to=2026-11-30T00:00:00Z");
    HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri("/api/data/devices/rm-1/rollups"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("route.unknown");
    assertThat(prefixOnly.statusCode()).isEqualTo(404);
    assertThat(code(prefixOnly)).isEqualTo("route.unknown");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(code(post)).isEqualTo("method.unsupported");
    assertThat(post.headers().firstValue("Allow")).contains("GET");
  }

  @Test
  void a_cassandra_timeout_is_503_storage_unavailable_without_a_stack_trace() throws Exception {
    for (String format : new String[] {"json", "csv", "jsonl"}) {
      HttpResponse<String> response =
          get("/api/data/devices/rm-1/rollups?from=2026-11-29T23:00:00Z&to=2026-11-30T00:00:00Z&format=" + format);

      assertThat(response.statusCode()).as(format).isEqualTo(503);
      assertThat(code(response)).isEqualTo("storage.unavailable");
      assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.");
    }
  }

  @Test
  void names_export_files_after_subject_resource_and_range_with_unsafe_characters_replaced() {
    Query<?> query = new Query<>(Datasets.DEVICE_ROLLUPS, "rm/1 \"x\"", Optional.empty(),
        new TimeRange(Instant.parse("2026-11-29T23:00:00Z"), Instant.parse("2026-11-30T01:00:00Z")));

    assertThat(QueryRoutes.fileName(query, ExportFormat.CSV)).isEqualTo("rm_1__x__rollups_20261129T230000Z_20261130T010000Z.csv");
  }
}
