package io.fleetpulse.evaluation.cmapss;

import io.fleetpulse.api.registry.MqttLogin;
import io.fleetpulse.evaluation.replay.ReplayPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replays C-MAPSS engines as turbofan devices over MQTT: each engine is device {@link
 * CmapssFile#deviceId}, each cycle one compact message with its 24 values, sequence
 * number = cycle. Cycles go out fleet-wise (cycle 1 of every engine, then cycle 2, ...), one
 * simulated second apart in event time ending now, as fast as the broker acknowledges or at
 * {@code rate} messages per second. Values are sent as the shortest decimal that reads back as
 * the same float, so the node sees exactly the file's values.
 *
 * <p>Usage: {@code CmapssReplay <broker url> <cmapss dir> [dataset=FD001] [engines=all] [rate=0] [site=test-cell]},
 * connecting as the edge gateway in {@code FLEETPULSE_MQTT_USERNAME} and {@code FLEETPULSE_MQTT_PASSWORD}
 * (one of the site's, registered with profile {@code edge-gateway}), or anonymously when they are unset.
 */
public final class CmapssReplay {

  private CmapssReplay() {}

  /** Replays the first {@code engines} engines of the test file. */
  public static ReplayPublisher.Result replay(String brokerUrl, MqttLogin login, Path cmapss, String dataset, int engines,
      double rate, String site)
      throws InterruptedException {
    Map<Integer, List<float[]>> all = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
    return replay(brokerUrl, login, cmapss, dataset, new ArrayList<>(all.keySet()).subList(0, Math.min(engines, all.size())),
        rate, site);
  }

  /** Replays the given engines (unit numbers) of the test file, their cycles interleaved. */
  public static ReplayPublisher.Result replay(String brokerUrl, MqttLogin login, Path cmapss, String dataset,
      List<Integer> units, double rate, String site)
      throws InterruptedException {
    Map<Integer, List<float[]>> all = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt"));
    int longest = units.stream().mapToInt(unit -> all.get(unit).size()).max().orElse(0);
    long start = System.currentTimeMillis() - longest * 1000L;
    try (ReplayPublisher publisher = new ReplayPublisher(brokerUrl, login, "cmapss-replay-" + dataset, rate)) {
      for (int cycle = 1; cycle <= longest; cycle++) {
        for (int unit : units) {
          List<float[]> cycles = all.get(unit);
          if (cycle <= cycles.size()) {
            publisher.publish("fleet/" + site + "/" + CmapssFile.deviceId(dataset, unit) + "/telemetry",
                payload(cycle, start + cycle * 1000L, cycles.get(cycle - 1)));
          }
        }
      }
      return publisher.finish();
    }
  }

  /**
   * Replays cycles {@code fromCycle..toCycle} of one engine of the test file as a device that
   * reports once per flight: cycle c in event time {@code firstMillis + (c - 1) * intervalMillis}.
   */
  public static ReplayPublisher.Result replayFlights(String brokerUrl, MqttLogin login, Path cmapss, String dataset, int unit, int fromCycle,
      int toCycle, long firstMillis, long intervalMillis, double rate, String site) throws InterruptedException {
    List<float[]> cycles = CmapssFile.read(cmapss.resolve("test_" + dataset + ".txt")).get(unit);
    if (cycles == null || fromCycle < 1 || toCycle > cycles.size() || fromCycle > toCycle) {
      throw new IllegalArgumentException("engine " + unit + " of " + dataset + " has no cycles " + fromCycle + ".." + toCycle);
    }
    try (ReplayPublisher publisher = new ReplayPublisher(brokerUrl, login, "cmapss-flights-" + dataset + "-" + unit, rate)) {
      for (int cycle = fromCycle; cycle <= toCycle; cycle++) {
        publisher.publish("fleet/" + site + "/" + CmapssFile.deviceId(dataset, unit) + "/telemetry",
            payload(cycle, firstMillis + (cycle - 1) * intervalMillis, cycles.get(cycle - 1)));
      }
      return publisher.finish();
    }
  }

  static byte[] payload(int cycle, long timestampMillis, float[] values) {
    StringBuilder json = new StringBuilder(512).append("{\"ts\":").append(timestampMillis)
        .append(",\"seq\":").append(cycle).append(",\"values\":{");
    for (int i = 0; i < values.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(CmapssFile.METRICS.get(i)).append("\":")
          .append(Float.toString(values[i]));
    }
    return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: CmapssReplay <broker url> <cmapss dir> [dataset=FD001] [engines=all] [rate=0] [site=test-cell]");
      System.exit(2);
    }
    String dataset = args.length > 2 ? args[2] : "FD001";
    int engines = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    double rate = args.length > 4 ? Double.parseDouble(args[4]) : 0;
    String site = args.length > 5 ? args[5] : "test-cell";
    long started = System.nanoTime();
    ReplayPublisher.Result result =
        replay(args[0], MqttLogin.fromEnvironment().orElse(null), Path.of(args[1]), dataset, engines, rate, site);
    System.out.printf(Locale.ROOT, "replayed test_%s: %d messages, %d acknowledged by the broker, %d failed, in %.1f s%n",
        dataset, result.published(), result.acknowledged(), result.failed(), (System.nanoTime() - started) / 1e9);
  }
}
