package io.fleetpulse.node.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fleetpulse.node.ExportedMeters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's Grafana dashboard and Prometheus rules (k8s/base/grafana-dashboard.yaml,
 * prometheus-rules.yaml) against what a node exports: every metric name their PromQL queries, and
 * every label value it selects with {@code =}, appears in the scrape of a registry where the node's
 * binders ran ({@link ExportedMeters}); the dashboard is well-formed JSON whose panels each query a
 * data source; every rule has the fields an operator relies on. No Cassandra, no broker.
 */
class PlatformDashboardsTest {

  private static final StrictManifests READER = new StrictManifests();
  /** Labels Prometheus adds when scraping (prometheus-scrape-config.yaml), not the node. */
  private static final Set<String> SCRAPE_LABELS = Set.of("app", "role", "pod", "job", "instance", "namespace");
  private static final Set<String> KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset");
  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private static ActorTestKit testKit;
  /** Exported series: metric name to the label sets it has. */
  private static Map<String, List<Map<String, String>>> exported;
  private static JsonNode dashboard;
  private static JsonNode rules;

  @BeforeAll
  static void scrapeAndRead() throws IOException {
    testKit = ActorTestKit.create("PlatformDashboardsTest", ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.port = 0
            pekko.fail-mixed-versions = off
            """).withFallback(ConfigFactory.defaultReference()).resolve());
    exported = series(ExportedMeters.of(testKit.system()).scrape());

    Path repository = Path.of("").toAbsolutePath();
    while (!Files.exists(repository.resolve("k8s/base/kustomization.yaml"))) {
      repository = Objects.requireNonNull(repository.getParent(), "no k8s/base/kustomization.yaml above the working directory");
    }
    dashboard = JsonMapper.builder().build().readTree(data(repository.resolve("k8s/base/grafana-dashboard.yaml"), "fleetpulse.json"));
    rules = READER.tree(data(repository.resolve("k8s/base/prometheus-rules.yaml"), "fleetpulse-rules.yml"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void every_metric_and_label_value_the_dashboard_queries_is_exported() {
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : panels()) {
      panel.path("targets").forEach(target -> queries.add(target.path("expr").asString()));
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asString().equals("query")) {
        queries.add(variable.path("query").path("query").asString()
            .replaceAll("^label_values\\((.*),\\s*[a-zA-Z_]+\\)$", "$1"));
      }
    }
    assertThat(queries).hasSizeGreaterThan(20);
    for (String query : queries) {
      assertThat(unknown(query)).as("not exported by the node, in the dashboard's %s", query).isEmpty();
    }
  }

  @Test
  void every_metric_and_label_value_the_rules_query_is_exported() {
    List<JsonNode> all = alertingRules();
    assertThat(all).hasSizeGreaterThanOrEqualTo(8);
    for (JsonNode rule : all) {
      String expr = rule.path("expr").asString();
      assertThat(unknown(expr)).as("not exported by the node, in rule %s: %s", rule.path("alert").asString(), expr)
          .isEmpty();
    }
  }

  @Test
  void the_check_catches_a_misspelt_metric_or_label_value() {
    assertThat(unknown("sum by (outcome) (rate(fleetpulse_gateway_messages_total{pod=~\"$pod\"}[$__rate_interval]))"))
        .isEmpty();
    assertThat(unknown("sum(rate(fleetpulse_gateway_mesages_total[5m]))")).containsExactly("fleetpulse_gateway_mesages_total");
    assertThat(unknown("max(fletpulse_cluster_members_unreachable) > 0")).containsExactly("fletpulse_cluster_members_unreachable");
    assertThat(unknown("rate(fleetpulse_gateway_messages_total{outcome=\"settled\"}[5m])"))
        .containsExactly("fleetpulse_gateway_messages_total{outcome=\"settled\"}");
    assertThat(unknown("histogram_quantile(0.99, sum by (le) (rate(fleetpulse_inference_run_seconds_bucket[5m])))"))
        .as("the run timer publishes client-side quantiles, not buckets")
        .containsExactly("fleetpulse_inference_run_seconds_bucket");
  }

  @Test
  void the_node_exports_the_meters_the_dashboard_was_built_for() {
    assertThat(exported).containsKeys("fleetpulse_devices_actors", "fleetpulse_cluster_members",
        "fleetpulse_cluster_members_unreachable", "fleetpulse_telemetry_write_seconds_count");
    assertThat(exported.get("fleetpulse_cluster_members")).extracting(labels -> labels.get("status"))
        .contains("up", "joining", "weakly_up", "leaving", "exiting", "down", "removed");
    assertThat(exported.get("fleetpulse_telemetry_write_seconds_count")).extracting(labels -> labels.get("outcome"))
        .containsExactlyInAnyOrder("stored", "failed");
  }

  @Test
  void dashboard_panels_each_query_the_datasource_variable() {
    assertThat(dashboard.path("uid").asString()).isNotBlank();
    assertThat(dashboard.path("templating").path("list")).anySatisfy(variable -> {
      assertThat(variable.path("name").asString()).isEqualTo("datasource");
      assertThat(variable.path("type").asString()).isEqualTo("datasource");
      assertThat(variable.path("query").asString()).isEqualTo("prometheus");
    });
    List<JsonNode> panels = panels();
    assertThat(panels).hasSizeGreaterThanOrEqualTo(12);
    Set<String> titles = new HashSet<>();
    for (JsonNode panel : panels) {
      String title = panel.path("title").asString();
      assertThat(titles.add(title)).as("panel titles are unique: %s", title).isTrue();
      assertThat(panel.path("datasource").path("uid").asString()).as("data source of %s", title).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as("queries of %s", title).isNotEmpty();
      panel.path("targets").forEach(target ->
          assertThat(target.path("expr").asString()).as("a query of %s", title).isNotBlank());
      assertThat(panel.path("gridPos").path("w").asInt()).as("width of %s", title).isPositive();
    }
  }

  @Test
  void every_rule_alerts_with_a_duration_a_severity_and_a_summary() {
    assertThat(rules.path("groups")).isNotEmpty();
    Set<String> names = new HashSet<>();
    for (JsonNode group : rules.path("groups")) {
      assertThat(group.path("name").asString()).isNotBlank();
      assertThat(group.path("rules")).as("rules of group %s", group.path("name").asString()).isNotEmpty();
    }
    for (JsonNode rule : alertingRules()) {
      String alert = rule.path("alert").asString();
      assertThat(alert).isNotBlank();
      assertThat(names.add(alert)).as("alert names are unique: %s", alert).isTrue();
      assertThat(rule.path("expr").asString()).as("expr of %s", alert).isNotBlank();
      assertThat(rule.path("for").asString()).as("for of %s", alert).matches("\\d+[smh]");
      assertThat(rule.path("labels").path("severity").asString()).as("severity of %s", alert).isIn("critical", "warning");
      assertThat(rule.path("annotations").path("summary").asString()).as("summary of %s", alert).isNotBlank();
      assertThat(rule.path("annotations").path("description").asString()).as("description of %s", alert).isNotBlank();
    }
  }

  /**
   * The metric names (and {@code name{label="value"}} selections) of a PromQL expression that the
   * node does not export. Strings, ranges, grouping clauses and Grafana variables are removed
   * first; an identifier followed by {@code (} is a function or an aggregation.
   */
  private static Set<String> unknown(String expression) {
    Set<String> unknown = new TreeSet<>();
    Matcher selector = SELECTOR.matcher(expression);
    while (selector.find()) {
      List<Map<String, String>> sets = exported.get(selector.group(1));
      Matcher label = LABEL.matcher(selector.group(2));
      while (sets != null && label.find()) {
        String name = label.group(1);
        String value = label.group(3);
        if (label.group(2).equals("=") && !SCRAPE_LABELS.contains(name) && !value.contains("$")
            && sets.stream().noneMatch(set -> value.equals(set.get(name)))) {
          unknown.add(selector.group(1) + "{" + name + "=\"" + value + "\"}");
        }
      }
    }
    String bare = expression
        .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\{?\\w+}?", " ")
        .replaceAll("\\b\\d+(\\.\\d+)?(ms|[smhdwy])?\\b", " ");
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      String name = identifier.group();
      boolean function = bare.substring(identifier.end()).stripLeading().startsWith("(");
      if (!function && !KEYWORDS.contains(name) && !exported.containsKey(name)) {
        unknown.add(name);
      }
    }
    return unknown;
  }

  /** Every series of a Prometheus text scrape, by metric name. */
  private static Map<String, List<Map<String, String>>> series(String scrape) {
    Map<String, List<Map<String, String>>> byName = new HashMap<>();
    for (String line : scrape.split("\n")) {
      Matcher sample = SERIES.matcher(line);
      if (line.startsWith("#") || !sample.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher label = LABEL.matcher(Objects.requireNonNullElse(sample.group(2), ""));
      while (label.find()) {
        labels.put(label.group(1), label.group(3));
      }
      byName.computeIfAbsent(sample.group(1), name -> new ArrayList<>()).add(labels);
    }
    return byName;
  }

  private static List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panel.path("panels").forEach(panels::add);
      if (!panel.path("type").asString().equals("row")) {
        panels.add(panel);
      }
    }
    return panels;
  }

  private static List<JsonNode> alertingRules() {
    List<JsonNode> all = new ArrayList<>();
    rules.path("groups").forEach(group -> group.path("rules").forEach(all::add));
    return all;
  }

  private static String data(Path file, String key) throws IOException {
    List<StrictManifests.Manifest> manifests = READER.read(file);
    assertThat(manifests).hasSize(1);
    ConfigMap map = (ConfigMap) manifests.get(0).resource();
    return Objects.requireNonNull(map.getData().get(key), key + " in " + file);
  }
}
