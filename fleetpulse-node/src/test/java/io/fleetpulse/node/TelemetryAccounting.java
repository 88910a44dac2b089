package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.simulator.SimulationReport;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The exact bookkeeping both end-to-end tests check: what the simulator had acknowledged by the
 * broker must equal what the node counted, message for message, device by device and reason by
 * reason.
 */
final class TelemetryAccounting {

  private TelemetryAccounting() {}

  static void assertNodeCountedExactly(String httpUrl, SimulationReport report) {
    assertThat(report.failed()).as("publishes the broker did not acknowledge").isZero();
    long expectedSettled = report.acknowledged();
    JsonNode summary = NodeTestSupport.awaitJson(
        httpUrl + "/api/fleet/summary",
        s -> settled(s) >= expectedSettled && s.path("messages").path("inFlight").asInt() == 0,
        Duration.ofSeconds(60));
    JsonNode messages = summary.path("messages");
    String context = "node summary " + summary + ", simulator report " + report.render();
    assertThat(settled(summary)).as("messages the node settled").isEqualTo(expectedSettled);
    assertThat(messages.path("accepted").asLong()).as("accepted; %s", context).isEqualTo(report.validUnique());
    assertThat(messages.path("duplicates").asLong()).as("duplicates; %s", context).isEqualTo(report.duplicatesSent());
    assertThat(messages.path("rejected").asLong()).as("rejected; %s", context).isEqualTo(report.malformedSent());
    assertThat(toMap(summary.path("rejectsByReason"))).as("rejections by reason").isEqualTo(new TreeMap<>(report.malformedByCode()));
    assertThat(new TreeMap<>(report.deadLettersByCode())).as("dead letters the simulator received")
        .isEqualTo(new TreeMap<>(report.malformedByCode()));

    long rejectedPerDevice = 0;
    for (Map.Entry<String, Long> device : report.validUniqueByDevice().entrySet()) {
      JsonNode body = NodeTestSupport.getJson(httpUrl + "/api/devices/" + device.getKey());
      assertThat(body.path("_status").asInt()).as("status of device %s", device.getKey()).isEqualTo(200);
      JsonNode state = body.path("state");
      assertThat(state.path("accepted").asLong()).as("accepted by %s", device.getKey()).isEqualTo(device.getValue());
      for (JsonNode count : state.path("rejectsByReason")) {
        rejectedPerDevice += count.asLong();
      }
    }
    assertThat(summary.path("devices").asInt()).as("devices in the directory").isEqualTo(report.validUniqueByDevice().size());
    assertThat(rejectedPerDevice).as("rejections recorded on devices").isLessThanOrEqualTo(report.malformedSent());
  }

  /**
   * Every acknowledged valid message is in Cassandra exactly once: one row per message holding its
   * readings, so the stored rows equal the valid unique messages and the readings are 5 per row for
   * rm-*, 4 for env-*, duplicates and redeliveries included.
   */
  static void assertStoredExactlyOnce(CqlSession session, String keyspace,
      SimulationReport report) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (Map.Entry<String, Long> device : report.validUniqueByDevice().entrySet()) {
      long rows = 0;
      long readings = 0;
      for (LocalDate day : List.of(today.minusDays(1), today, today.plusDays(1))) {
        for (Row row : session.execute("SELECT readings FROM " + keyspace + ".telemetry_messages_by_device_day"
            + " WHERE device_id = ? AND day = ?", device.getKey(), day)) {
          rows++;
          readings += row.getMap("readings", String.class, Double.class).size();
        }
      }
      long readingsPerMessage = device.getKey().startsWith("rm-") ? 5 : 4;
      assertThat(rows).as("rows stored for %s", device.getKey()).isEqualTo(device.getValue());
      assertThat(readings).as("readings stored for %s", device.getKey()).isEqualTo(device.getValue() * readingsPerMessage);
    }
  }

  private static long settled(JsonNode summary) {
    JsonNode m = summary.path("messages");
    return m.path("accepted").asLong() + m.path("duplicates").asLong() + m.path("rejected").asLong();
  }

  private static Map<String, Long> toMap(JsonNode object) {
    Map<String, Long> map = new TreeMap<>();
    object.fields().forEachRemaining(field -> map.put(field.getKey(), field.getValue().asLong()));
    return map;
  }

  /**
   * Polls the node's fleet summary until it has acknowledged at least {@code count} messages to
   * the broker (each stored first); fails after two minutes. The number it had reached.
   */
  static long awaitAcknowledgedByNode(String api, long count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    long settled = 0;
    while (settled < count && System.nanoTime() < deadline) {
      settled = NodeTestSupport.getJson(api + "/api/fleet/summary").path("messages").path("acknowledged").asLong();
      Thread.sleep(20);
    }
    assertThat(settled).as("messages the node acknowledged").isGreaterThanOrEqualTo(count);
    return settled;
  }

  /** Device and sequence of the first few messages with no stored row, for a failure message. */
  static List<String> missingMessages(CqlSession session, String keyspace, int devices, long messages) {
    List<String> missing = new ArrayList<>();
    for (int device = 0; device < devices && missing.size() < 20; device++) {
      Set<Long> stored = new HashSet<>();
      for (LocalDate day : List.of(LocalDate.now(ZoneOffset.UTC).minusDays(1), LocalDate.now(ZoneOffset.UTC))) {
        for (Row row : session.execute("SELECT seq FROM " + keyspace + ".telemetry_messages_by_device_day WHERE device_id = ? AND day = ?",
            TestPublisher.deviceId(device), day)) {
          stored.add(row.getLong("seq"));
        }
      }
      for (long sequence = 1; sequence <= messages && missing.size() < 20; sequence++) {
        if (!stored.contains(sequence)) {
          missing.add(TestPublisher.deviceId(device) + "#" + sequence);
        }
      }
    }
    return missing;
  }

  /** {@link #storedReadings}, polled until it reaches {@code expected} or the timeout passes; the last count. */
  static long awaitStoredReadings(CqlSession session, String keyspace, int devices,
      long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long rows = storedReadings(session, keyspace, devices);
    while (rows < expected && System.nanoTime() < deadline) {
      Thread.sleep(500);
      rows = storedReadings(session, keyspace, devices);
    }
    return rows;
  }

  /** Telemetry readings stored for the test publisher's devices 0..devices-1, today and yesterday (UTC). */
  static long storedReadings(CqlSession session, String keyspace, int devices) {
    long readings = 0;
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int device = 0; device < devices; device++) {
      for (LocalDate day : List.of(today.minusDays(1), today)) {
        for (Row row : session.execute("SELECT readings FROM " + keyspace + ".telemetry_messages_by_device_day"
            + " WHERE device_id = ? AND day = ?", TestPublisher.deviceId(device), day)) {
          readings += row.getMap("readings", String.class, Double.class).size();
        }
      }
    }
    return readings;
  }

  /**
   * Every closed minute (all but the newest two) has one roll-up per metric, read through the
   * data-team query API as JSON Lines, equal to the statistics of that minute's stored rows. Records
   * are written asynchronously, and a minute the restarted node completed with redelivered readings
   * is rewritten after its first version: the roll-ups are read until they agree or 60 s pass.
   */
  static void assertRollupsMatchStoredRows(
      CqlSession session, String keyspace, String api, String deviceId, long firstMillis, long lastMillis) throws Exception {
    long firstMinute = Math.floorDiv(firstMillis + 1000, 60_000L) * 60_000L;
    long newestMinute = Math.floorDiv(lastMillis, 60_000L) * 60_000L;
    int expected = (int) ((newestMinute - 60_000L - firstMinute) / 60_000L) * TestPublisher.METRICS.size();
    String url = api + "/api/data/devices/" + deviceId + "/rollups?format=jsonl&from="
        + Instant.ofEpochMilli(firstMinute) + "&to=" + Instant.ofEpochMilli(newestMinute);
    Map<String, List<Double>> stored = new HashMap<>(); // by minute and metric
    List<JsonNode> rollups = List.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      rollups = NodeTestSupport.getText(url).lines().filter(line -> !line.isBlank())
          .map(NodeTestSupport::json).toList();
      boolean agree = rollups.size() == expected;
      for (JsonNode rollup : rollups) {
        agree &= rollup.path("count").asLong() == storedValues(session, keyspace, stored, deviceId, rollup).size();
      }
      if (agree || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(rollups).as(deviceId + " roll-ups of the closed minutes").hasSize(expected);
    for (JsonNode rollup : rollups) {
      List<Double> values = storedValues(session, keyspace, stored, deviceId, rollup);
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      String what = deviceId + " " + rollup.path("metric").asText() + " " + rollup.path("minute").asText();
      assertThat(rollup.path("count").asLong()).as(what + " count").isEqualTo(values.size());
      assertThat(rollup.path("mean").asDouble()).as(what + " mean").isCloseTo(mean, within(1e-9 * Math.abs(mean)));
      assertThat(rollup.path("max").asDouble()).as(what + " max")
          .isEqualTo(values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }
  }

  /** The stored values of the roll-up's minute and metric (read once; the telemetry is complete by now). */
  private static List<Double> storedValues(
      CqlSession session, String keyspace, Map<String, List<Double>> cache, String deviceId, JsonNode rollup) {
    Instant minute = Instant.parse(rollup.path("minute").asText());
    String metric = rollup.path("metric").asText();
    return cache.computeIfAbsent(minute + " " + metric, key -> {
      List<Double> values = new ArrayList<>();
      for (Row row : session.execute("SELECT readings FROM " + keyspace + ".telemetry_messages_by_device_day"
              + " WHERE device_id = ? AND day = ? AND ts >= ? AND ts < ?", deviceId,
          minute.atZone(ZoneOffset.UTC).toLocalDate(), minute, minute.plusSeconds(60))) {
        Double value = row.getMap("readings", String.class, Double.class).get(metric);
        if (value != null) {
          values.add(value);
        }
      }
      return values;
    });
  }

}
