package io.fleetpulse.analytics.cmapss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores the RUL predictions a running node stored for replayed C-MAPSS test engines, read back
 * through the data-team query API exactly as a data team would: for each engine, the prediction
 * for its last cycle, against RUL_FDxxx.txt capped like the training targets. Prints it beside the
 * offline evaluation of the same model on the same files; the two must agree (no train/serve skew).
 *
 * <p>Usage: {@code EndToEndRulEvaluation <node url> <cmapss dir> <registry dir> [model=rul-fd001] [version=2] [dataset=FD001]}
 */
public final class EndToEndRulEvaluation {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private EndToEndRulEvaluation() {}

  /**
   * The model's stored predictions of one device over the last two days, by the sequence number
   * (cycle) of the window's last message.
   */
  public static Map<Long, Double> storedPredictions(String nodeUrl, String deviceId, String model)
      throws IOException, InterruptedException {
    Instant now = Instant.now();
    String url = nodeUrl + "/api/data/devices/" + URLEncoder.encode(deviceId, StandardCharsets.UTF_8)
        + "/predictions?format=jsonl&model=" + URLEncoder.encode(model, StandardCharsets.UTF_8)
        + "&from=" + now.minus(Duration.ofDays(2)) + "&to=" + now.plus(Duration.ofHours(1));
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return Map.of();
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    Map<Long, Double> bySequence = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (!line.isBlank()) {
        JsonNode item = JSON.readTree(line);
        bySequence.put(item.path("sequence").asLong(), item.path("outputs").get(0).asDouble());
      }
    }
    return bySequence;
  }

  /** Last-cycle predictions of the engines {@code units} as stored, scored; NaN where none is stored. */
  public static OfflineRulEvaluation.Result evaluate(
      String nodeUrl, Path cmapss, String dataset, String model, List<Integer> units, double cap)
      throws IOException, InterruptedException {
    Map<Integer, List<float[]>> engines = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
    List<Integer> rul = CmapssFile.readRul(cmapss.resolve("RUL_" + dataset + ".txt"));
    List<Integer> all = List.copyOf(engines.keySet());
    double[] predicted = new double[units.size()];
    double[] truth = new double[units.size()];
    for (int i = 0; i < units.size(); i++) {
      int unit = units.get(i);
      long lastCycle = engines.get(unit).size();
      predicted[i] = storedPredictions(nodeUrl, CmapssFile.deviceId(dataset, unit), model).getOrDefault(lastCycle, Double.NaN);
      truth[i] = Math.min(rul.get(all.indexOf(unit)), cap);
    }
    return new OfflineRulEvaluation.Result(units, predicted, truth, cap, RulMetrics.rmse(predicted, truth),
        RulMetrics.nasaScore(predicted, truth));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: EndToEndRulEvaluation <node url> <cmapss dir> <registry dir> [model=rul-fd001] [version=2] [dataset=FD001]");
      System.exit(2);
    }
    String model = args.length > 3 ? args[3] : "rul-fd001";
    String version = args.length > 4 ? args[4] : "2";
    String dataset = args.length > 5 ? args[5] : "FD001";
    OfflineRulEvaluation.Result offline = OfflineRulEvaluation.evaluate(Path.of(args[1]), Path.of(args[2]), model, version, dataset);
    OfflineRulEvaluation.Result stored =
        evaluate(args[0], Path.of(args[1]), dataset, model, offline.units(), offline.truthCap());
    System.out.printf(Locale.ROOT, "%s on test_%s, last cycle of %d engines:%n", model, dataset, offline.units().size());
    System.out.printf(Locale.ROOT, "  offline (ONNX Runtime on the files): RMSE %.4f, NASA score %.2f%n", offline.rmse(), offline.nasaScore());
    System.out.printf(Locale.ROOT, "  end to end (MQTT -> node -> Cassandra -> /api/data): RMSE %.4f, NASA score %.2f%n",
        stored.rmse(), stored.nasaScore());
    System.out.printf(Locale.ROOT, "  difference: RMSE %.6f%n", Math.abs(stored.rmse() - offline.rmse()));
  }
}
