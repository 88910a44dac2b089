package io.fleetpulse.queryapi;

import static io.fleetpulse.queryapi.QueryApiFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.query.BucketReader;
import io.fleetpulse.persistence.query.Datasets;
import io.fleetpulse.persistence.query.PageToken;
import io.fleetpulse.persistence.query.Query;
import io.fleetpulse.persistence.query.TimeRange;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import io.fleetpulse.queryapi.QueryApiFixture.Alert;
import io.fleetpulse.queryapi.QueryApiFixture.Prediction;
import io.fleetpulse.queryapi.QueryApiFixture.Rollup;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API over HTTP against a real Cassandra 5 node (started once for the class): exact rows
 * across day, hour and month buckets, paging that visits every row once, exports identical to the
 * paged JSON, every 400 code, the 404s, and a 503 once Cassandra is gone (the last test).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryApiIT {

  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final QueryApiFixture FIXTURE = new QueryApiFixture();
  private static final Instant NIGHT = at("2026-11-29T23:00:00Z");
  private static final Instant MORNING = at("2026-11-30T01:00:00Z");

  @TempDir
  static Path data;

  private static CassandraLauncher cassandra;
  private static CqlSession session;
  private static ActorTestKit testKit;
  private static ServerBinding binding;

  @BeforeAll
  static void start() {
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    cassandra = CassandraLauncher.start(settings.embedded()
        .isolated(Path.of("../cassandra-runtime/target/lib"), data));
    session = CqlSession.builder().withConfigLoader(SchemaMigrations.sessionConfig())
            .addContactPoint(cassandra.cqlAddress()).withLocalDatacenter(settings.localDatacenter()).build();
    new SchemaMigrations(session, settings.keyspace()).migrate(settings.replication());
    FIXTURE.insert(session, settings.keyspace());

    testKit = ActorTestKit.create();
    // A small export fetch size, so an export crosses driver pages inside a bucket as well as buckets.
    QueryApiSettings analytics = QueryApiSettings.fromConfig(
        ConfigFactory.parseString("fleetpulse.query.export-fetch-size = 17").withFallback(ConfigFactory.load()));
    QueryRoutes routes = new QueryRoutes(testKit.system(),
        new BucketReader(session, settings.keyspace(), analytics.queryTimeout(), testKit.system().executionContext()), analytics);
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.route()).toCompletableFuture().join();
  }

  @AfterAll
  static void stop() {
    try {
      if (binding != null) {
        binding.unbind().toCompletableFuture().join();
      }
      if (testKit != null) {
        testKit.shutdownTestKit();
      }
      if (session != null) {
        session.close();
      }
    } finally {
      if (cassandra != null) {
        cassandra.close();
      }
    }
  }

  // ---- exact rows across bucket boundaries --------------------------------------------------------

  @Test
  void device_rollups_across_midnight_are_exactly_the_rows_in_range_in_order() throws Exception {
    Instant from = at("2026-11-29T23:30:00Z");
    Instant to = at("2026-11-30T00:30:00Z");

    List<Rollup> items = items(page("/api/data/devices/rm-1/rollups", from, to, ""), Rollup.class);

    assertThat(items).hasSize(120).isEqualTo(FIXTURE.deviceRollups("rm-1", from, to, r -> true));
  }

  @Test
  void the_range_is_half_open_at_both_partition_edges() throws Exception {
    List<Rollup> items = items(page("/api/data/devices/rm-1/rollups", NIGHT, MORNING, ""), Rollup.class);

    assertThat(items).hasSize(240).isEqualTo(FIXTURE.deviceRollups("rm-1", NIGHT, MORNING, r -> true));
    assertThat(items.get(0).minute()).isEqualTo(NIGHT);
    assertThat(items.get(items.size() - 1).minute()).isEqualTo(MORNING.minusSeconds(60));
  }

  @Test
  void a_metric_filter_keeps_only_that_metric() throws Exception {
    List<Rollup> items = items(page("/api/data/devices/rm-1/rollups", NIGHT, MORNING, "&metric=vibration"), Rollup.class);

    assertThat(items).hasSize(120)
        .isEqualTo(FIXTURE.deviceRollups("rm-1", NIGHT, MORNING, r -> r.metric().equals("vibration")));
  }

  @Test
  void site_rollups_interleave_the_sites_devices_across_hour_buckets_and_leave_other_sites_out() throws Exception {
    Instant from = at("2026-11-29T23:45:00Z");
    Instant to = at("2026-11-30T00:15:00Z");

    List<Rollup> items = items(page("/api/data/sites/plant-1/rollups", from, to, ""), Rollup.class);

    List<Rollup> expected = FIXTURE.siteRollups("plant-1", from, to);
    assertThat(expected).extracting(Rollup::deviceId).contains("rm-1", "rm-2").doesNotContain("rm-9");
    assertThat(items).isEqualTo(expected);
  }

  @Test
  void device_and_site_predictions_are_the_rows_in_range() throws Exception {
    List<Prediction> device = items(page("/api/data/devices/rm-1/predictions", NIGHT, MORNING, ""), Prediction.class);
    List<Prediction> bearing =
        items(page("/api/data/devices/rm-1/predictions", NIGHT, MORNING, "&model=bearing"), Prediction.class);
    List<Prediction> site = items(page("/api/data/sites/plant-1/predictions", NIGHT, MORNING, ""), Prediction.class);

    assertThat(device).hasSize(24).isEqualTo(FIXTURE.devicePredictions("rm-1", NIGHT, MORNING, p -> true));
    assertThat(bearing).hasSize(12)
        .isEqualTo(FIXTURE.devicePredictions("rm-1", NIGHT, MORNING, p -> p.model().equals("bearing")));
    assertThat(site).hasSize(32).isEqualTo(FIXTURE.sitePredictions("plant-1", NIGHT, MORNING));
  }

  @Test
  void device_alerts_cross_month_buckets_and_site_alerts_day_buckets() throws Exception {
    Instant from = at("2026-10-31T12:00:00Z");
    Instant to = at("2026-12-01T00:00:00Z");
    Instant siteFrom = at("2026-11-29T12:00:00Z");
    Instant siteTo = at("2026-11-30T12:00:00Z");

    List<Alert> device = items(page("/api/data/devices/rm-1/alerts", from, to, ""), Alert.class);
    List<Alert> site = items(page("/api/data/sites/plant-1/alerts", siteFrom, siteTo, ""), Alert.class);

    assertThat(device).extracting(a -> a.alertId().toString()).containsExactly(
        "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
        "00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004",
        "00000000-0000-4000-8000-000000000005");
    assertThat(device).isEqualTo(FIXTURE.alerts(a -> a.deviceId().equals("rm-1"), from, to));
    assertThat(site).isEqualTo(FIXTURE.alerts(a -> a.site().equals("plant-1"), siteFrom, siteTo)).hasSize(4);
  }

  @Test
  void an_empty_range_is_an_empty_last_page() throws Exception {
    JsonNode page = page("/api/data/devices/rm-1/rollups", NIGHT, NIGHT, "");

    assertThat(page.path("items")).isEmpty();
    assertThat(page.path("nextPage").isNull()).isTrue();
  }

  // ---- paging --------------------------------------------------------------------------------------

  @Test
  void paging_with_a_small_limit_visits_every_row_exactly_once() throws Exception {
    assertThat(allPages("/api/data/devices/rm-1/rollups", NIGHT, MORNING, "", 7, Rollup.class))
        .isEqualTo(FIXTURE.deviceRollups("rm-1", NIGHT, MORNING, r -> true));
    assertThat(allPages("/api/data/devices/rm-1/rollups", NIGHT, MORNING, "&metric=temperature", 9, Rollup.class))
        .isEqualTo(FIXTURE.deviceRollups("rm-1", NIGHT, MORNING, r -> r.metric().equals("temperature")));
    assertThat(allPages("/api/data/sites/plant-1/rollups", NIGHT, MORNING, "", 13, Rollup.class))
        .isEqualTo(FIXTURE.siteRollups("plant-1", NIGHT, MORNING));
    Instant from = at("2026-10-31T12:00:00Z");
    Instant to = at("2026-12-01T00:00:00Z");
    assertThat(allPages("/api/data/devices/rm-1/alerts", from, to, "", 2, Alert.class))
        .isEqualTo(FIXTURE.alerts(a -> a.deviceId().equals("rm-1"), from, to));
  }

  @Test
  void a_page_token_is_refused_with_another_range_endpoint_or_when_altered() throws Exception {
    String token = page("/api/data/devices/rm-1/rollups", NIGHT, MORNING, "&limit=5").path("nextPage").asText();
    assertThat(token).isNotBlank();

    assertThat(page("/api/data/devices/rm-1/rollups", NIGHT, MORNING, "&limit=5&page=" + token).path("items")).hasSize(5);
    assertError(get(path("/api/data/devices/rm-1/rollups", NIGHT, MORNING.plusSeconds(60)) + "&page=" + token),
        400, "page.invalid");
    assertError(get(path("/api/data/devices/rm-1/predictions", NIGHT, MORNING) + "&page=" + token), 400, "page.invalid");
    assertError(get(path("/api/data/devices/rm-2/rollups", NIGHT, MORNING) + "&page=" + token), 400, "page.invalid");
    // A well-formed token of this very query whose paging state Cassandra cannot read: still the client's error.
    Query<?> query = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.empty(), new TimeRange(NIGHT, MORNING));
    String forged = new PageToken(0, Optional.of(ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9}))).encode(query.description());
    assertError(get(path("/api/data/devices/rm-1/rollups", NIGHT, MORNING) + "&page=" + forged), 400, "page.invalid");
    char last = token.charAt(token.length() - 1);
    String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertError(get(path("/api/data/devices/rm-1/rollups", NIGHT, MORNING) + "&page=" + altered), 400, "page.invalid");
  }

  // ---- exports -----------------------------------------------------------------------------------

  @Test
  void csv_and_json_lines_exports_hold_exactly_the_rows_of_the_paged_json() throws Exception {
    for (String endpoint : List.of("/api/data/devices/rm-1/rollups", "/api/data/sites/plant-1/rollups",
        "/api/data/devices/rm-1/predictions", "/api/data/sites/plant-1/predictions")) {
      assertExportsMatchPages(endpoint, NIGHT, MORNING);
    }
    assertExportsMatchPages("/api/data/devices/rm-1/alerts", at("2026-10-31T12:00:00Z"), at("2026-12-01T00:00:00Z"));
    assertExportsMatchPages("/api/data/sites/plant-1/alerts", at("2026-11-29T00:00:00Z"), at("2026-12-01T00:00:00Z"));
  }

  @Test
  void a_csv_export_is_a_chunked_attachment_with_the_documented_header_and_quoting() throws Exception {
    HttpResponse<String> response =
        get(path("/api/data/sites/plant-1/alerts", at("2026-11-29T12:00:00Z"), at("2026-11-30T12:00:00Z")) + "&format=csv");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/csv; charset=UTF-8");
    assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment").contains("filename=").contains(".csv");
    assertThat(response.headers().firstValue("Transfer-Encoding")).contains("chunked");
    List<List<String>> records = CsvRecords.parse(response.body());
    assertThat(records.get(0)).containsExactly("alertId", "deviceId", "site", "type", "severity", "status", "raisedAt",
        "lastAt", "lastValue", "triggerCount", "acknowledgedBy", "acknowledgedAt", "clearedBy", "clearedAt", "note");
    assertThat(records.subList(1, records.size())).extracting(r -> r.get(14))
        .containsExactly(QueryApiFixture.AWKWARD_NOTE, null, "", null);
  }

  // ---- refusals ------------------------------------------------------------------------------------

  @Test
  void each_bad_request_has_its_400_code() throws Exception {
    String rollups = "/api/data/devices/rm-1/rollups";
    assertError(get(rollups + "?from=2026-11-29T23:00:00Z"), 400, "range.missing");
    assertError(get(rollups + "?to=2026-11-29T23:00:00Z"), 400, "range.missing");
    assertError(get(rollups + "?from=yesterday&to=2026-11-29T23:00:00Z"), 400, "range.invalid-time");
    assertError(get(path(rollups, MORNING, NIGHT)), 400, "range.inverted");
    HttpResponse<String> wide = get(path(rollups, at("2026-10-01T00:00:00Z"), at("2026-11-02T00:00:00Z")));
    assertError(wide, 400, "range.too-wide");
    assertThat(JSON.readTree(wide.body()).path("message").asText()).contains("31d");
    HttpResponse<String> wideSite = get(path("/api/data/sites/plant-1/predictions", NIGHT, NIGHT.plusSeconds(3 * 86_400)));
    assertError(wideSite, 400, "range.too-wide");
    assertThat(JSON.readTree(wideSite.body()).path("message").asText()).contains("2d");
    assertError(get(path(rollups, NIGHT, MORNING) + "&limit=0"), 400, "limit.invalid");
    assertError(get(path(rollups, NIGHT, MORNING) + "&limit=5001"), 400, "limit.invalid");
    assertError(get(path(rollups, NIGHT, MORNING) + "&limit=many"), 400, "limit.invalid");
    assertError(get(path(rollups, NIGHT, MORNING) + "&page=bm90LWEtdG9rZW4"), 400, "page.invalid");
    assertError(get(path(rollups, NIGHT, MORNING) + "&format=parquet"), 400, "format.unsupported");
  }

  @Test
  void unknown_devices_and_sites_are_404() throws Exception {
    assertError(get(path("/api/data/devices/rm-404/rollups", NIGHT, MORNING)), 404, "device.unknown");
    assertError(get(path("/api/data/devices/rm-404/alerts", NIGHT, MORNING) + "&format=csv"), 404, "device.unknown");
    assertError(get(path("/api/data/sites/plant-404/predictions", NIGHT, MORNING)), 404, "site.unknown");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void once_cassandra_is_gone_queries_are_503_storage_unavailable() throws Exception {
    cassandra.kill();

    HttpResponse<String> response = get(path("/api/data/devices/rm-1/rollups", NIGHT, MORNING));

    assertError(response, 503, "storage.unavailable");
    assertThat(response.body()).doesNotContain("Exception");
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private void assertExportsMatchPages(String endpoint, Instant from, Instant to) throws Exception {
    List<JsonNode> paged = pagedItems(endpoint, from, to, "", 11);
    assertThat(paged).as(endpoint + " has rows").isNotEmpty();

    HttpResponse<String> jsonl = get(path(endpoint, from, to) + "&format=jsonl&limit=1");
    assertThat(jsonl.statusCode()).isEqualTo(200);
    assertThat(jsonl.headers().firstValue("Content-Type")).contains("application/x-ndjson");
    assertThat(jsonl.headers().firstValue("Content-Disposition").orElseThrow()).contains(".jsonl");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : jsonl.body().split("\n")) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines).as(endpoint + " jsonl").isEqualTo(paged);

    HttpResponse<String> csv = get(path(endpoint, from, to) + "&format=csv");
    assertThat(csv.statusCode()).isEqualTo(200);
    List<List<String>> records = CsvRecords.parse(csv.body());
    List<String> header = records.get(0);
    List<List<String>> expected = new ArrayList<>();
    for (JsonNode item : paged) {
      List<String> fields = new ArrayList<>();
      for (String column : header) {
        JsonNode value = item.path(column);
        fields.add(value.isMissingNode() || value.isNull() ? null : value.isContainerNode() ? value.toString() : value.asText());
      }
      expected.add(fields);
    }
    assertThat(records.subList(1, records.size())).as(endpoint + " csv").isEqualTo(expected);
    Set<String> itemFields = new HashSet<>();
    paged.get(0).fieldNames().forEachRemaining(itemFields::add);
    assertThat(new HashSet<>(header)).as(endpoint + " csv columns are the item's fields").isEqualTo(itemFields);
  }

  private <T> List<T> allPages(String endpoint, Instant from, Instant to, String extra, int limit, Class<T> type)
      throws Exception {
    List<T> all = new ArrayList<>();
    List<JsonNode> items = pagedItems(endpoint, from, to, extra, limit);
    assertThat(items.size()).as("the range needs more than one page of " + limit).isGreaterThan(limit);
    for (JsonNode item : items) {
      all.add(JSON.treeToValue(item, type));
    }
    return all;
  }

  /** Follows nextPage to the end; a page that never ends fails instead of hanging. */
  private static List<JsonNode> pagedItems(String endpoint, Instant from, Instant to, String extra, int limit)
      throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = page(endpoint, from, to, extra + "&limit=" + limit + (token == null ? "" : "&page=" + token));
      assertThat(page.path("items").size()).isLessThanOrEqualTo(limit);
      page.path("items").forEach(all::add);
      token = page.path("nextPage").isNull() ? null : page.path("nextPage").asText();
      assertThat(++pages).as("pages of " + endpoint).isLessThan(200);
    } while (token != null);
    return all;
  }

  private static JsonNode page(String endpoint, Instant from, Instant to, String extra) throws Exception {
    HttpResponse<String> response = get(path(endpoint, from, to) + extra);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    return JSON.readTree(response.body());
  }

  private static <T> List<T> items(JsonNode page, Class<T> type) throws IOException {
    List<T> items = new ArrayList<>();
    for (JsonNode item : page.path("items")) {
      items.add(JSON.treeToValue(item, type));
    }
    return items;
  }

  private static String path(String endpoint, Instant from, Instant to) {
    return endpoint + "?from=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)
        + "&to=" + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + pathAndQuery);
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("code").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).isNotBlank();
  }

}
