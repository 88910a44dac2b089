package io.fleetpulse.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a device's stored predictions back through the data-team query API, as a data team
 * would: {@code GET /api/data/devices/{id}/predictions?format=jsonl&model=...} over the last two
 * days (the whole range, streamed), with the API token in {@code FLEETPULSE_API_TOKEN} (role
 * {@code data} or {@code admin}). Used by the benchmark evaluations to score what a node stored.
 */
public final class StoredPredictions {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** How far back the evaluations look: a replay puts its readings within the last day (max-past-skew). */
  private static final Duration LOOKBACK = Duration.ofDays(2);

  private StoredPredictions() {}

  /** Output {@code output} of the model's stored predictions of one device, by the sequence number of the message each followed. */
  public static Map<Long, Double> bySequence(String nodeUrl, String deviceId, String model, int output)
      throws IOException, InterruptedException {
    Instant now = Instant.now();
    String url = nodeUrl + "/api/data/devices/" + URLEncoder.encode(deviceId, StandardCharsets.UTF_8)
        + "/predictions?format=jsonl&model=" + URLEncoder.encode(model, StandardCharsets.UTF_8)
        + "&from=" + now.minus(LOOKBACK) + "&to=" + now.plus(Duration.ofHours(1));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120));
    String token = System.getenv("FLEETPULSE_API_TOKEN");
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
        bySequence.put(item.path("sequence").asLong(), item.path("outputs").get(output).asDouble());
      }
    }
    return bySequence;
  }
}
