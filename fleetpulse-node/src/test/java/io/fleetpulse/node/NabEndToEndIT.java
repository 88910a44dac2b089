package io.fleetpulse.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.evaluation.StoredPredictions;
import io.fleetpulse.evaluation.nab.EndToEndNabEvaluation;
import io.fleetpulse.evaluation.nab.NabEvaluation;
import io.fleetpulse.evaluation.nab.NabReplay;
import io.fleetpulse.evaluation.replay.ReplayPublisher;
import io.fleetpulse.testkit.SharedCassandra;
import io.fleetpulse.testkit.SharedDatasets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming anomaly detector through the whole system: NAB series replayed over MQTT as
 * univariate-signal devices, scored by their device actors, stored in Cassandra and read back
 * through the data-team query API. Every stored score equals the detector's offline score of the
 * same row of the CSV file, so the benchmark's offline number is the fleet's number; the series
 * with a jump in its rhythm raises the profile's anomaly alert.
 */
class NabEndToEndIT {

  private static final List<String> SERIES = List.of(
      "artificialWithAnomaly/art_daily_jumpsup.csv",
      "realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv",
      "realKnownCause/rogue_agent_key_hold.csv");

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void stored_anomaly_scores_of_replayed_series_equal_the_offline_detector_s() throws Exception {
    Path nab = SharedDatasets.NAB.required();
    int brokerPort = NodeTestSupport.freePort();
    // The replay sends a series' weeks in seconds, far beyond a real signal's quota.
    try (RunningNode node = FleetPulseNode.start(ConfigFactory.parseString(
            "fleetpulse.gateway.rate-limit.enabled = false")
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(),
            "nab", brokerPort, directory.resolve("broker"))))) {
      ReplayPublisher.Result sent = NabReplay.replay("tcp://127.0.0.1:" + brokerPort,
          NodeTestSupport.edgeGateway(node.httpUrl(), "gw-nab", "nab"), nab, SERIES, 0, "nab");
      assertThat(sent.acknowledged()).isEqualTo(sent.published());

      for (String series : SERIES) {
        awaitStored(node.httpUrl(), nab, series);
      }
      EndToEndNabEvaluation.Comparison comparison = EndToEndNabEvaluation.evaluate(node.httpUrl(), nab, SERIES);
      long rows = comparison.stored().rowsBySeries().values().stream().mapToLong(List::size).sum();
      assertThat(rows).isEqualTo(sent.published());
      assertThat(comparison.missingRows()).as("rows without a stored score").isZero();
      assertThat(comparison.differingRows()).as("stored scores differing from the offline detector's").isZero();
      assertThat(comparison.stored().profiles().get(0).normalisedScore())
          .isEqualTo(comparison.offline().profiles().get(0).normalisedScore());

      String jumps = NabEvaluation.deviceId(SERIES.get(0));
      JsonNode alerts = NodeTestSupport.awaitJson(node.httpUrl() + "/api/devices/" + jumps + "/alerts",
          body -> body.path("items").findValuesAsText("type").contains("signal-anomaly"), Duration.ofSeconds(30));
      assertThat(alerts.path("items").findValuesAsText("type")).as(jumps + ": the anomaly alert").contains("signal-anomaly");
      System.out.printf("NAB end to end: %d rows of %d series stored and equal to offline%n", rows, SERIES.size());
    }
  }

  /** Waits until the node stored a score for every row of the series (the replay ends before the stores do). */
  private static void awaitStored(String api, Path nab, String series) throws Exception {
    int expected = io.fleetpulse.evaluation.nab.NabDataFiles.read(nab.resolve("data").resolve(series)).size();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    int stored = 0;
    while (System.nanoTime() < deadline) {
      stored = StoredPredictions.bySequence(api, NabEvaluation.deviceId(series), EndToEndNabEvaluation.MODEL, 0).size();
      if (stored >= expected) {
        return;
      }
      Thread.sleep(500);
    }
    // The detector's counters say why: a message given up as late, or a gap.
    JsonNode scoring = NodeTestSupport.getJson(api + "/api/devices/" + NabEvaluation.deviceId(series))
        .path("state").path("anomalyScoring");
    assertThat(stored).as(series + ": stored scores (device's anomaly scoring " + scoring + ")").isEqualTo(expected);
  }
}
