package io.fleetpulse.evaluation.nab;

import io.fleetpulse.api.registry.MqttLogin;
import io.fleetpulse.evaluation.replay.ReplayPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replays NAB series as {@code univariate-signal} devices over MQTT: series {@code s} is device
 * {@link NabEvaluation#deviceId}, its row i one message with sequence number i + 1 and the row's
 * value as metric {@code value}, written as Java's shortest decimal of the double, so the node
 * reads exactly the file's value. Rows keep their order; the series go out interleaved (row 1 of
 * every series, then row 2, ...), accelerated to one simulated second per row in event time ending
 * now (the node rejects readings more than a day old, and the longest series has 22,695 rows).
 *
 * <p>Usage: {@code NabReplay <broker url> <nab dir> [rate=0] [site=nab] [series...]} (no series: all of them),
 * connecting as the edge gateway in {@code FLEETPULSE_MQTT_USERNAME} and {@code FLEETPULSE_MQTT_PASSWORD},
 * or anonymously when they are unset.
 */
public final class NabReplay {

  private NabReplay() {}

  public static ReplayPublisher.Result replay(String brokerUrl, MqttLogin login, Path nabDirectory, List<String> seriesPaths, double rate,
      String site) throws InterruptedException {
    Map<String, List<NabDataPoint>> corpus = NabEvaluation.corpus(nabDirectory);
    List<String> paths = seriesPaths.isEmpty() ? List.copyOf(corpus.keySet()) : seriesPaths;
    for (String path : paths) {
      if (!corpus.containsKey(path)) {
        throw new IllegalArgumentException("no series " + path + " in " + nabDirectory.resolve("data"));
      }
    }
    int longest = paths.stream().mapToInt(path -> corpus.get(path).size()).max().orElse(0);
    long start = System.currentTimeMillis() - longest * 1000L;
    try (ReplayPublisher publisher = new ReplayPublisher(brokerUrl, login, "nab-replay", rate)) {
      for (int row = 0; row < longest; row++) {
        for (String path : paths) {
          List<NabDataPoint> points = corpus.get(path);
          if (row < points.size()) {
            publisher.publish("fleet/" + site + "/" + NabEvaluation.deviceId(path) + "/telemetry",
                payload(row + 1, start + row * 1000L, points.get(row).value()));
          }
        }
      }
      return publisher.finish();
    }
  }

  static byte[] payload(long sequence, long timestampMillis, double value) {
    return ("{\"ts\":" + timestampMillis + ",\"seq\":" + sequence + ",\"values\":{\"value\":" + Double.toString(value) + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: NabReplay <broker url> <nab dir> [rate=0] [site=nab] [series...]");
      System.exit(2);
    }
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : 0;
    String site = args.length > 3 ? args[3] : "nab";
    List<String> series = args.length > 4 ? List.of(args).subList(4, args.length) : List.of();
    long started = System.nanoTime();
    ReplayPublisher.Result result =
        replay(args[0], MqttLogin.fromEnvironment().orElse(null), Path.of(args[1]), series, rate, site);
    System.out.printf(Locale.ROOT, "replayed NAB: %d messages, %d acknowledged by the broker, %d failed, in %.1f s%n",
        result.published(), result.acknowledged(), result.failed(), (System.nanoTime() - started) / 1e9);
  }
}
