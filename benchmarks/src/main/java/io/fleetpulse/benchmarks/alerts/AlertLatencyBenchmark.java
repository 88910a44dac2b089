package io.fleetpulse.benchmarks.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.registry.MqttLogin;
import io.fleetpulse.simulator.node.NodeClient;
import io.fleetpulse.simulator.node.NodeSummary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Telemetry to alert, against a running node: how long from a faulty device's reading being
 * published to the alert it raises arriving (a) on the site's MQTT topic {@code fleet/{site}/alerts}
 * and (b) on the node's Server-Sent Events stream, which both come after the alert was stored.
 * The faulty devices ({@link FaultyDevices}) raise and resolve a bearing-overheat alert every
 * twelve readings; whatever else loads the node (bench/alert-latency.sh runs the fleet simulator
 * at a fixed rate beside it) is not this program's business. Raises published during the warm-up
 * are not counted (device actors starting, JIT). Prints, per channel and for the later of the two,
 * how many raises were measured, how many never arrived, and p50 / p90 / p99 / max in milliseconds;
 * the same for the part until the device's actor raised the alert (before storing and delivering
 * it; from the alert's own time, to the millisecond); what the node settled per second during
 * the measured window (from its fleet summary: the load it carried); then one {@code RESULT} line
 * per row for scripts.
 *
 * <p>A latency measured while the node works off a backlog says nothing about alerts: before the
 * faulty devices start, it waits until the node settles about {@code load-rate} msg/s (within
 * {@value #KEEPING_UP_TOLERANCE} of it, over two {@value #KEEPING_UP_WINDOW_SECONDS} s windows in a
 * row: neither draining a backlog faster nor falling behind), and gives up (exit status 3) when
 * that takes longer than {@code catch-up-s}.
 *
 * <p>Usage: {@code AlertLatencyBenchmark <api-url> <broker-url> <load-rate> [site=plant-1]
 * [faulty-devices=5] [reading-interval-ms=200] [warm-up-s=30] [measure-s=120] [drain-s=10]
 * [catch-up-s=300]}; the API token (an admin's: it registers an edge gateway and an alert
 * consumer) in {@code FLEETPULSE_API_TOKEN}.
 */
public final class AlertLatencyBenchmark {

  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final double[] PERCENTILES = {50, 90, 99};
  private static final double KEEPING_UP_TOLERANCE = 0.1;
  private static final int KEEPING_UP_WINDOW_SECONDS = 10;
  private static final int EXIT_NOT_KEEPING_UP = 3;

  private AlertLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: AlertLatencyBenchmark <api-url> <broker-url> <load-rate> [site=plant-1] [faulty-devices=5]"
          + " [reading-interval-ms=200] [warm-up-s=30] [measure-s=120] [drain-s=10] [catch-up-s=300]"
          + "  (FLEETPULSE_API_TOKEN: an admin's token)");
      System.exit(2);
    }
    String api = args[0].endsWith("/") ? args[0].substring(0, args[0].length() - 1) : args[0];
    String broker = args[1];
    double loadRate = Double.parseDouble(args[2]);
    String site = args.length > 3 ? args[3] : "plant-1";
    int faulty = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    Duration interval = Duration.ofMillis(args.length > 5 ? Long.parseLong(args[5]) : 200);
    Duration warmUp = Duration.ofSeconds(args.length > 6 ? Long.parseLong(args[6]) : 30);
    Duration measure = Duration.ofSeconds(args.length > 7 ? Long.parseLong(args[7]) : 120);
    Duration drain = Duration.ofSeconds(args.length > 8 ? Long.parseLong(args[8]) : 10);
    Duration catchUp = Duration.ofSeconds(args.length > 9 ? Long.parseLong(args[9]) : 300);
    String token = Optional.ofNullable(System.getenv("FLEETPULSE_API_TOKEN")).filter(value -> !value.isBlank())
        .orElseThrow(() -> new IllegalStateException("FLEETPULSE_API_TOKEN is not set"));

    NodeClient node = new NodeClient(URI.create(api), HTTP_TIMEOUT, Optional.of(token), Optional.empty());
    MqttLogin gateway = node.edgeGateway("alert-bench-gw-" + site, site);
    MqttLogin consumer = alertConsumer(api, token, "alert-bench-consumer-" + site, site);
    if (!awaitKeepingUp(node, loadRate, catchUp)) {
      System.exit(EXIT_NOT_KEEPING_UP);
    }

    long start;
    Settled settled;
    long warmedUp;
    long end;
    List<FaultyDevices.Raise> measured;
    List<AlertWatchers.Channel> channels;
    try (FaultyDevices devices = new FaultyDevices(broker, gateway, site, faulty, interval);
        AlertWatchers watchers = new AlertWatchers(devices, broker, consumer, api, token, site, HTTP_TIMEOUT)) {
      start = System.nanoTime();
      devices.start();
      Thread.sleep(warmUp.toMillis());
      warmedUp = System.nanoTime();
      NodeSummary before = node.summary();
      Thread.sleep(measure.toMillis());
      end = System.nanoTime();
      NodeSummary after = node.summary();
      devices.stop();
      settled = new Settled(before, after, (end - warmedUp) / 1e9);
      Thread.sleep(drain.toMillis());
      measured = devices.raises().stream()
          .filter(raise -> raise.publishedNanos() >= warmedUp && raise.publishedNanos() < end).toList();
      channels = watchers.channels();
      System.out.printf(Locale.ROOT, "faulty devices: %d at %s site %s, one reading each every %d ms (%d published, %d failed);"
              + " %.0f s warm-up, %.0f s measured%n", faulty, broker, site, interval.toMillis(), devices.published(),
          devices.failed(), (warmedUp - start) / 1e9, (end - warmedUp) / 1e9);
    }
    System.out.printf(Locale.ROOT, "node settled during the measured window: %.1f msg/s (accepted %d, duplicates %d,"
        + " rejected %d)%n", settled.perSecond(), settled.accepted(), settled.duplicates(), settled.rejected());
    report(measured, channels);
    System.out.printf(Locale.ROOT, "RESULT settled per-second=%.1f accepted=%d rejected=%d%n", settled.perSecond(),
        settled.accepted(), settled.rejected());
    System.exit(0); // the HTTP client's and MQTT clients' threads
  }

  /** Whether the node came to settle about {@code rate} msg/s within {@code patience}; prints each window. */
  private static boolean awaitKeepingUp(NodeClient node, double rate, Duration patience)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    int steady = 0;
    NodeSummary before = node.summary();
    long from = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(KEEPING_UP_WINDOW_SECONDS * 1000L);
      NodeSummary after = node.summary();
      long to = System.nanoTime();
      double settled = new Settled(before, after, (to - from) / 1e9).perSecond();
      steady = Math.abs(settled - rate) <= rate * KEEPING_UP_TOLERANCE ? steady + 1 : 0;
      System.out.printf(Locale.ROOT, "catching up: the node settled %.1f msg/s of %.0f offered%n", settled, rate);
      if (steady == 2) {
        return true;
      }
      before = after;
      from = to;
    }
    System.out.printf(Locale.ROOT, "the node did not keep up with %.0f msg/s within %d s: no latency measured%n", rate,
        patience.toSeconds());
    return false;
  }

  /** What the node settled (accepted, counted as duplicate or rejected) between two summaries. */
  private record Settled(long accepted, long duplicates, long rejected, double seconds) {
    Settled(NodeSummary before, NodeSummary after, double seconds) {
      this(after.messages().accepted() - before.messages().accepted(),
          after.messages().duplicates() - before.messages().duplicates(),
          after.messages().rejected() - before.messages().rejected(), seconds);
    }

    double perSecond() {
      return (accepted + duplicates + rejected) / seconds;
    }
  }

  /** Registers {@code id} as the site's alert consumer and issues it a secret. */
  private static MqttLogin alertConsumer(String api, String token, String id, String site)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    send(http, HttpRequest.newBuilder(URI.create(api + "/api/devices/" + id + "?credentials=none"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"site\":\"" + site + "\",\"profile\":\"alert-consumer\"}")), token);
    String body = send(http, HttpRequest.newBuilder(URI.create(api + "/api/devices/" + id + "/credentials"))
        .POST(HttpRequest.BodyPublishers.noBody()), token);
    return new MqttLogin(id, new ObjectMapper().readTree(body).path("secret").asText());
  }

  private static String send(HttpClient http, HttpRequest.Builder request, String token)
      throws IOException, InterruptedException {
    HttpRequest built = request.timeout(HTTP_TIMEOUT).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").build();
    HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(built.method() + " " + built.uri() + " answered HTTP " + response.statusCode()
          + ": " + response.body());
    }
    return response.body();
  }

  private static void report(List<FaultyDevices.Raise> measured, List<AlertWatchers.Channel> channels) {
    System.out.printf(Locale.ROOT, "raising readings published after the warm-up: %d%n", measured.size());
    System.out.printf(Locale.ROOT, "%-28s %6s %8s %8s %8s %8s %8s%n", "reading published -> event", "count", "missing",
        "p50 ms", "p90 ms", "p99 ms", "max ms");
    List<String> results = new ArrayList<>();
    List<long[]> perRaise = new ArrayList<>();
    for (AlertWatchers.Channel channel : channels) {
      long[] latencies = new long[measured.size()];
      int count = 0;
      for (FaultyDevices.Raise raise : measured) {
        AlertWatchers.Sample sample = channel.samples.get(raise.deviceId() + "#" + raise.cycle());
        latencies[count] = sample == null ? -1 : sample.latencyNanos();
        count++;
      }
      perRaise.add(latencies);
      results.add(line(channel.name + " (" + channel.events + " events)", channel.name, latencies));
    }
    long[] later = new long[measured.size()];
    for (int i = 0; i < later.length; i++) {
      long latest = 0;
      for (long[] latencies : perRaise) {
        latest = latencies[i] < 0 || latest < 0 ? -1 : Math.max(latest, latencies[i]);
      }
      later[i] = latest;
    }
    results.add(line("both (the later of the two)", "both", later));
    // Until the actor raised it: the same for both channels; from whichever saw the raise.
    long[] raised = new long[measured.size()];
    for (int i = 0; i < raised.length; i++) {
      FaultyDevices.Raise raise = measured.get(i);
      raised[i] = channels.stream().map(channel -> channel.samples.get(raise.deviceId() + "#" + raise.cycle()))
          .filter(java.util.Objects::nonNull).mapToLong(sample -> Math.max(0, sample.raisedAfterMillis()) * 1_000_000).findFirst()
          .orElse(-1);
    }
    results.add(line("of it: until raised (actor)", "raised", raised));
    results.forEach(System.out::println);
  }

  /** Prints a table row for {@code latencies} (-1: never arrived) and returns its RESULT line. */
  private static String line(String label, String name, long[] latencies) {
    long[] arrived = Arrays.stream(latencies).filter(latency -> latency >= 0).sorted().toArray();
    int missing = latencies.length - arrived.length;
    double[] values = new double[PERCENTILES.length + 1];
    for (int i = 0; i < PERCENTILES.length; i++) {
      values[i] = percentile(arrived, PERCENTILES[i]);
    }
    values[PERCENTILES.length] = arrived.length == 0 ? Double.NaN : arrived[arrived.length - 1] / 1e6;
    System.out.printf(Locale.ROOT, "%-28s %6d %8d %8.1f %8.1f %8.1f %8.1f%n", label, arrived.length, missing,
        values[0], values[1], values[2], values[3]);
    return String.format(Locale.ROOT, "RESULT %s count=%d missing=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f", name,
        arrived.length, missing, values[0], values[1], values[2], values[3]);
  }

  /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  private static double percentile(long[] sorted, double percentile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
