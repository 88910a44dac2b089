package io.fleetpulse.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.evaluation.cmapss.CmapssFile;
import io.fleetpulse.evaluation.cmapss.CmapssReplay;
import io.fleetpulse.evaluation.cmapss.OfflineRulEvaluation;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelMetadata;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.testkit.SharedCassandra;
import io.fleetpulse.testkit.SharedDatasets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The committed RUL model through the whole system: C-MAPSS FD001 test engines replayed over MQTT
 * as turbofan devices, windows kept by their device actors, run by the inference pool, stored in
 * Cassandra and read back through the data-team query API. Each engine's prediction for its last
 * cycle equals ONNX Runtime's offline prediction on the file's last window (no train/serve skew),
 * and so does each earlier window's, those of an engine's first cycles filled like the node fills
 * them (the model's min-window).
 * Windows before it: every one is stored or counted as skipped behind (newer cycles pushed it out
 * of the actor's ring while it waited for the pool); a stored one equals its offline prediction
 * unless a late message of its window arrived after it ran and the re-run the actor queued had not
 * been stored when the test read it (the test prints how many differ).
 */
class TurbofanEndToEndIT {

  private static final Path REGISTRY = Path.of("../models");
  private static final int ENGINES = 4;
  private static final int NEAR_FAILURE = 31;
  /** The version the node serves: the registry's highest. */
  private static final String SERVED_VERSION = OfflineRulEvaluation.servedVersion(REGISTRY, "rul-fd001");

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void stored_predictions_of_replayed_engines_equal_offline_onnx_predictions() throws Exception {
    Path cmapss = SharedDatasets.CMAPSS.required("test_FD001.txt");
    int brokerPort = NodeTestSupport.freePort();
    Config config = ConfigFactory.parseString("""
            fleetpulse.serving.registry-directory = "%s"
            """.formatted(REGISTRY.toAbsolutePath().toString().replace("\\\\", "/")))
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(), "turbofan", brokerPort,
            directory.resolve("broker")));
    try (RunningNode node = FleetPulseNode.start(config)) {
      // Engines 1-4, and engine 31, 8 cycles from failure at its last cycle: its RUL alert.
      List<Integer> units = List.of(1, 2, 3, 4, NEAR_FAILURE);
      io.fleetpulse.evaluation.replay.ReplayPublisher.Result sent = CmapssReplay.replay("tcp://127.0.0.1:" + brokerPort,
          NodeTestSupport.edgeGateway(node.httpUrl(), "gw-test-cell", "test-cell"), cmapss, "FD001", units, 100, "test-cell");
      assertThat(sent.acknowledged()).isEqualTo(sent.published());

      Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("test_FD001.txt"));
      OfflineRulEvaluation.Result offline =
          OfflineRulEvaluation.evaluate(cmapss, REGISTRY, "rul-fd001", SERVED_VERSION, "FD001");
      try (ModelRegistry models = new ModelRegistry(REGISTRY, ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
        LoadedModel model = models.loadVersion("rul-fd001", SERVED_VERSION);
        ModelMetadata.Input input = model.metadata().input();
        int minWindow = input.minWindow();
        int compared = 0;
        List<String> differing = new java.util.ArrayList<>();
        for (int unit : units) {
          String device = CmapssFile.deviceId("FD001", unit);
          List<float[]> cycles = engines.get(unit);
          long lastCycle = cycles.size();
          Map<Long, Double> stored = Map.of();
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (System.nanoTime() < deadline && !stored.containsKey(lastCycle)) {
            stored = io.fleetpulse.evaluation.StoredPredictions.bySequence(node.httpUrl(), device, "rul-fd001", 0);
            Thread.sleep(300);
          }
          if (!stored.containsKey(lastCycle)) {
            // What the device actor saw and where its model runs went, for the failure message:
            // telemetry counts, the ring, and predictions, skipped, overloaded, expired and failed runs.
            String view = NodeTestSupport.getText(node.httpUrl() + "/api/devices/" + device);
            assertThat(stored).as(device + ": a prediction for the last cycle (" + stored.size()
                + " stored); device view: " + view).containsKey(lastCycle);
          }
          // Every window (ending at cycles min-window..N) is stored, or counted as skipped behind when
          // newer cycles pushed it out of the ring while it queued; none is lost uncounted. (A
          // count is per drop, and a dropped window a late message re-queues may still be
          // stored, so the sum may exceed the windows; it may not fall short.)
          long windows = cycles.size() - minWindow + 1;
          long accountedDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (stored.size() + skippedBehind(node.httpUrl(), device) < windows && System.nanoTime() < accountedDeadline) {
            Thread.sleep(300);
            stored = io.fleetpulse.evaluation.StoredPredictions.bySequence(node.httpUrl(), device, "rul-fd001", 0);
          }
          assertThat(stored.size() + skippedBehind(node.httpUrl(), device))
              .as(device + ": windows stored (%d) or skipped behind", stored.size()).isGreaterThanOrEqualTo(windows);
          // A late cycle queues the windows it changes again, behind newer ones: the device is done
          // when no window waits and none is at the pool; only then is every stored prediction final.
          awaitRuns(node.httpUrl(), device, r -> r.path("queued").asLong() == 0 && r.path("inFlight").asLong() == 0);
          stored = io.fleetpulse.evaluation.StoredPredictions.bySequence(node.httpUrl(), device, "rul-fd001", 0);
          assertRulAlert(node.httpUrl(), device, stored.get(lastCycle));
          assertFailureProbability(node.httpUrl(), device, lastCycle);
          assertThat(stored.get(lastCycle)).as(device + " last cycle, end to end vs offline")
              .isCloseTo(offline.predicted()[unit - 1], within(1e-3));
          for (Map.Entry<Long, Double> prediction : stored.entrySet()) {
            int end = prediction.getKey().intValue();
            assertThat(end).as(device + " window end").isBetween(minWindow, cycles.size());
            compared++;
            float[] values = CmapssFile.window(cycles, end, input);
            float offlineWindow = model.run(values, 1)[0][0];
            if (Math.abs(prediction.getValue() - offlineWindow) > 1e-3) {
              differing.add(device + "@" + end + ": stored " + prediction.getValue() + ", offline " + offlineWindow);
            }
          }
        }
        assertThat(compared).as("predictions compared").isGreaterThanOrEqualTo(ENGINES);
        // A late message re-runs the windows it changes, so every stored prediction is about its
        // window as it really was (ModelRuns); one that differs is a window run without a message.
        assertThat(differing).as("stored predictions differing from their offline window, of %d", compared).isEmpty();
        System.out.printf("turbofan end to end: %d stored predictions equal to offline windows%n", compared);
      }
    }
  }

  /**
   * An engine that reports once per flight (cycles ten minutes apart in event time, all older than
   * the recovery lookback) keeps its window when its actor starts again on a new node: the actor
   * reads back the ring's 104 newest cycles whatever their age, so the first window after the
   * restart (cycle 61, filled from cycle 1) and the last one (cycles 57..126, 4 of them read back)
   * are predicted as offline ONNX Runtime predicts them. Reading back by time alone, it would hold
   * none of the 60 earlier cycles and predict nothing until 70 new ones had come.
   */
  @Test
  void an_engine_reporting_once_per_flight_keeps_its_window_when_its_actor_restarts() throws Exception {
    Path cmapss = SharedDatasets.CMAPSS.required("test_FD001.txt");
    int unit = 3;
    int beforeRestart = 60;
    List<float[]> cycles = CmapssFile.read(cmapss.resolve("test_FD001.txt")).get(unit);
    String device = CmapssFile.deviceId("FD001", unit);
    long interval = Duration.ofMinutes(10).toMillis();
    // The newest cycle ends about two hours ago: within the gateway's accepted past (24 h).
    long first = System.currentTimeMillis() - Duration.ofHours(23).toMillis();
    int brokerPort = NodeTestSupport.freePort();
    Config config = ConfigFactory.parseString("""
            fleetpulse.serving.registry-directory = "%s"
            """.formatted(REGISTRY.toAbsolutePath().toString().replace("\\", "/")))
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(), "turbofan", brokerPort,
            directory.resolve("broker")));
    String broker = "tcp://127.0.0.1:" + brokerPort;
    try (RunningNode node = FleetPulseNode.start(config)) {
      CmapssReplay.replayFlights(broker, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-test-cell", "test-cell"), cmapss,
          "FD001", unit, 1, beforeRestart, first, interval, 50, "test-cell");
      awaitPrediction(node.httpUrl(), device, beforeRestart);
    }
    try (RunningNode node = FleetPulseNode.start(config)) {
      CmapssReplay.replayFlights(broker, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-test-cell", "test-cell"), cmapss,
          "FD001", unit, beforeRestart + 1, cycles.size(), first, interval, 20,
          "test-cell");
      Map<Long, Double> stored = awaitPrediction(node.httpUrl(), device, cycles.size());
      assertThat(NodeTestSupport.getJson(node.httpUrl() + "/api/devices/" + device).path("state").path("recovered").asLong())
          .as("cycles read back by the new node's actor (and the new ones stored before it read)")
          .isGreaterThanOrEqualTo(beforeRestart);
      try (ModelRegistry models = new ModelRegistry(REGISTRY, ServingSettings.fromConfig(ConfigFactory.load()).execution())) {
        LoadedModel model = models.loadVersion("rul-fd001", SERVED_VERSION);
        ModelMetadata.Input input = model.metadata().input();
        for (long end : List.of((long) beforeRestart + 1, (long) cycles.size())) {
          stored = awaitPrediction(node.httpUrl(), device, end);
          float[] values = CmapssFile.window(cycles, (int) end, input);
          assertThat(stored.get(end)).as(device + " cycle " + end + " after the restart, end to end vs offline")
              .isCloseTo(model.run(values, 1)[0][0], within(1e-3));
        }
      }
    }
  }

  /** The device's stored rul-fd001 predictions by cycle, once the one for {@code cycle} is there (60 s at most). */
  private static Map<Long, Double> awaitPrediction(String api, String device, long cycle) throws Exception {
    Map<Long, Double> stored = Map.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && !stored.containsKey(cycle)) {
      stored = io.fleetpulse.evaluation.StoredPredictions.bySequence(api, device, "rul-fd001", 0);
      Thread.sleep(300);
    }
    assertThat(stored).as(device + ": a prediction for cycle " + cycle + " (" + stored.size() + " stored); device view: "
        + NodeTestSupport.getText(api + "/api/devices/" + device)).containsKey(cycle);
    return stored;
  }

  /** Windows the device's actor dropped because newer cycles had pushed them out of its ring. */
  /** Waits until {@code done} holds for the rul-fd001 runs of the device's view; fails after 30 s. */
  private static void awaitRuns(String api, String device, java.util.function.Predicate<JsonNode> done) {
    NodeTestSupport.awaitJson(api + "/api/devices/" + device, body -> done.test(runs(body)), Duration.ofSeconds(30));
  }

  private static JsonNode runs(JsonNode view) {
    for (JsonNode prediction : view.path("state").path("predictions")) {
      if (prediction.path("model").asText().equals("rul-fd001")) {
        return prediction.path("runs");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static long skippedBehind(String api, String device) {
    JsonNode predictions = NodeTestSupport.getJson(api + "/api/devices/" + device).path("state").path("predictions");
    for (JsonNode prediction : predictions) {
      if (prediction.path("model").asText().equals("rul-fd001")) {
        return prediction.path("runs").path("skippedBehind").asLong();
      }
    }
    return 0;
  }

  /**
   * The turbofan profile's rul-low rule (warning at 50, major at 30, critical at 15, clears above
   * 60): a last prediction at or below 50 leaves an active alert of its severity; above 60, none.
   */
  private static void assertRulAlert(String api, String device, double lastPrediction) {
    String expected = lastPrediction <= 15 ? "CRITICAL" : lastPrediction <= 30 ? "MAJOR" : lastPrediction <= 50 ? "WARNING" : null;
    if (expected == null && lastPrediction <= 60) {
      return; // between the warning and the clear threshold: either, by hysteresis
    }
    JsonNode open = NodeTestSupport.awaitJson(api + "/api/devices/" + device + "/alerts",
        body -> activeRulAlert(body) == null ? expected == null : activeRulAlert(body).path("severity").asText().equals(expected),
        Duration.ofSeconds(30));
    JsonNode alert = activeRulAlert(open);
    if (expected == null) {
      assertThat(alert).as(device + ": no active rul-low alert at a predicted RUL of " + lastPrediction).isNull();
    } else {
      assertThat(alert).as(device + ": an active rul-low alert at a predicted RUL of " + lastPrediction).isNotNull();
      assertThat(alert.path("severity").asText()).isEqualTo(expected);
    }
  }

  private static JsonNode activeRulAlert(JsonNode open) {
    for (JsonNode alert : open.path("items")) {
      if (alert.path("type").asText().equals("rul-low") && alert.path("status").asText().startsWith("ACTIVE")) {
        return alert;
      }
    }
    return null;
  }

  /**
   * With the served version's residual-sd, each stored prediction also carries the probability of
   * failure within the binding's horizon (30 cycles): Phi((30 - rul) / sd); without it, the RUL only.
   */
  private static void assertFailureProbability(String api, String device, long lastCycle) throws Exception {
    String version = SERVED_VERSION;
    JsonNode thresholds = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(REGISTRY.resolve("rul-fd001/" + version + "/model.json").toFile()).path("thresholds");
    java.time.Instant now = java.time.Instant.now();
    JsonNode last = null;
    for (String line : NodeTestSupport.getText(api + "/api/data/devices/" + device + "/predictions?format=jsonl&from="
        + now.minus(Duration.ofDays(2)) + "&to=" + now.plus(Duration.ofHours(1))).split("\n")) {
      if (!line.isBlank()) {
        JsonNode item = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        if (item.path("sequence").asLong() == lastCycle) {
          last = item;
        }
      }
    }
    assertThat(last).as(device + ": the stored last-cycle prediction").isNotNull();
    JsonNode outputs = last.path("outputs");
    if (!thresholds.has("residual-sd")) {
      assertThat(outputs).as(device + ": no residual-sd, the RUL only").hasSize(1);
      return;
    }
    double rul = outputs.get(0).asDouble();
    double sd = thresholds.path("residual-sd").asDouble();
    double expected = 0.5 * (1 + erf((30 - rul) / sd / Math.sqrt(2)));
    assertThat(outputs).as(device + ": RUL and probability of failure within 30 cycles").hasSize(2);
    assertThat(outputs.get(1).asDouble()).as(device + " P(RUL <= 30) at RUL %.1f", rul).isCloseTo(expected, within(1e-4));
  }

  /**
   * erf by its Taylor series, an independent check of the node's approximation; beyond |x| = 3
   * erf is within 2.3e-5 of +-1.
   */
  private static double erf(double x) {
    if (Math.abs(x) > 3) {
      return Math.signum(x);
    }
    double sum = 0;
    double term = x;
    for (int n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
      if (Math.abs(term) < 1e-17) {
        break;
      }
    }
    return Math.max(-1, Math.min(1, 2 / Math.sqrt(Math.PI) * sum));
  }
}
