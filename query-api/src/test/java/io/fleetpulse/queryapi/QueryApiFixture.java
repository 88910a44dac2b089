package io.fleetpulse.queryapi;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The rows {@link QueryApiIT} writes with plain CQL, and the items each endpoint must return for a
 * range, computed from these rows alone (filtered and sorted here, in the tables' clustering order).
 * The test-side records mirror the documented JSON items, so extra or renamed fields fail the test.
 */
final class QueryApiFixture {

  record Rollup(String deviceId, String site, String metric, Instant minute, Long count, Double mean, Double min,
      Double max, Double stddev) {}

  record Prediction(String deviceId, String site, Instant ts, String model, String modelVersion, Long sequence,
      List<Float> outputs) {}

  record Alert(UUID alertId, String deviceId, String site, String type, String severity, String status,
      Instant raisedAt, Instant lastAt, Double lastValue, Integer triggerCount, String acknowledgedBy,
      Instant acknowledgedAt, String clearedBy, Instant clearedAt, String note) {}

  /** Two devices in plant-1, one in plant-2. */
  static final Map<String, String> SITE_OF = Map.of("rm-1", "plant-1", "rm-2", "plant-1", "rm-9", "plant-2");

  /** A note a CSV writer must quote: a comma, quotes and a line break. */
  static final String AWKWARD_NOTE = "bearing \"B2\" replaced, see ticket\nOPS-17";

  final List<Rollup> rollups = new ArrayList<>();
  final List<Prediction> predictions = new ArrayList<>();
  final List<Alert> alerts = new ArrayList<>();

  QueryApiFixture() {
    // rm-1: every minute from 22:59 to 01:00 inclusive, two metrics; 22:59 and 01:00 sit just outside [23:00, 01:00).
    for (Instant m = at("2026-11-29T22:59:00Z"); !m.isAfter(at("2026-11-30T01:00:00Z")); m = m.plusSeconds(60)) {
      rollups.add(rollup("rm-1", "temperature", m));
      rollups.add(rollup("rm-1", "vibration", m));
    }
    // rm-2: every other minute, one metric, interleaving with rm-1 in the site table.
    for (Instant m = at("2026-11-29T22:58:00Z"); !m.isAfter(at("2026-11-30T01:00:00Z")); m = m.plusSeconds(120)) {
      rollups.add(rollup("rm-2", "vibration", m));
    }
    for (Instant m = at("2026-11-29T23:00:00Z"); m.isBefore(at("2026-11-29T23:10:00Z")); m = m.plusSeconds(60)) {
      rollups.add(rollup("rm-9", "pressure", m));
    }

    long sequence = 1000;
    for (Instant t = at("2026-11-29T22:50:00Z"); !t.isAfter(at("2026-11-30T01:10:00Z")); t = t.plusSeconds(600)) {
      float x = (t.getEpochSecond() / 600 % 10) / 10f;
      predictions.add(new Prediction("rm-1", "plant-1", t, "anomaly", "v3", sequence++, List.of(x)));
      predictions.add(new Prediction("rm-1", "plant-1", t, "bearing", "v1", sequence++, List.of(x, 1 - x, 0.5f)));
    }
    for (Instant t = at("2026-11-29T23:00:00Z"); t.isBefore(at("2026-11-30T01:00:00Z")); t = t.plusSeconds(900)) {
      predictions.add(new Prediction("rm-2", "plant-1", t.plusSeconds(7), "bearing", "v1", sequence++, List.of(0.25f)));
    }
    predictions.add(new Prediction("rm-9", "plant-2", at("2026-11-29T23:30:00Z"), "bearing", "v1", 1L, List.of(0.75f)));

    alerts.add(alert(1, "rm-1", "2026-10-31T23:50:00Z", "CLEARED", null));
    alerts.add(alert(2, "rm-1", "2026-11-01T00:10:00Z", "ACTIVE_ACK", "checked"));
    alerts.add(alert(3, "rm-1", "2026-11-29T23:59:00Z", "CLEARED", AWKWARD_NOTE));
    alerts.add(alert(5, "rm-1", "2026-11-30T00:01:00Z", "ACTIVE_UNACK", null));
    alerts.add(alert(4, "rm-1", "2026-11-30T00:01:00Z", "ACTIVE_UNACK", ""));
    alerts.add(alert(6, "rm-1", "2026-12-01T00:00:00Z", "ACTIVE_UNACK", null));
    alerts.add(alert(7, "rm-2", "2026-11-29T10:00:00Z", "CLEARED", null));
    alerts.add(alert(8, "rm-2", "2026-11-30T00:00:00Z", "ACTIVE_UNACK", null));
    alerts.add(alert(9, "rm-9", "2026-11-30T00:30:00Z", "ACTIVE_UNACK", null));
  }

  static Instant at(String instant) {
    return Instant.parse(instant);
  }

  private static Rollup rollup(String device, String metric, Instant minute) {
    long count = minute.getEpochSecond() / 60 % 60 + 1;
    double mean = count * 0.5 + (metric.equals("vibration") ? 0.25 : 0);
    return new Rollup(device, SITE_OF.get(device), metric, minute, count, mean, mean - 1.5, mean + 2, 0.125);
  }

  private static Alert alert(int id, String device, String raisedAt, String status, String note) {
    Instant raised = at(raisedAt);
    boolean cleared = status.equals("CLEARED");
    boolean acknowledged = !status.equals("ACTIVE_UNACK");
    return new Alert(UUID.fromString(String.format("00000000-0000-4000-8000-%012d", id)), device, SITE_OF.get(device),
        "threshold", id % 2 == 0 ? "major" : "minor", status, raised, raised.plusSeconds(90), 40.5 + id, id,
        acknowledged ? "operator-" + id : null, acknowledged ? raised.plusSeconds(120) : null,
        cleared ? "operator-" + id : null, cleared ? raised.plusSeconds(600) : null, note);
  }

  // ---- expected answers -------------------------------------------------------------------------

  List<Rollup> deviceRollups(String device, Instant from, Instant to, Predicate<Rollup> filter) {
    return rollups.stream().filter(r -> r.deviceId().equals(device) && in(r.minute(), from, to)).filter(filter)
        .sorted(Comparator.comparing(Rollup::minute).thenComparing(Rollup::metric))
        .map(r -> new Rollup(r.deviceId(), null, r.metric(), r.minute(), r.count(), r.mean(), r.min(), r.max(), r.stddev()))
        .toList();
  }

  List<Rollup> siteRollups(String site, Instant from, Instant to) {
    return rollups.stream().filter(r -> r.site().equals(site) && in(r.minute(), from, to))
        .sorted(Comparator.comparing(Rollup::minute).thenComparing(Rollup::deviceId).thenComparing(Rollup::metric))
        .toList();
  }

  List<Prediction> devicePredictions(String device, Instant from, Instant to, Predicate<Prediction> filter) {
    return predictions.stream().filter(p -> p.deviceId().equals(device) && in(p.ts(), from, to)).filter(filter)
        .sorted(Comparator.comparing(Prediction::ts).thenComparing(Prediction::model))
        .map(p -> new Prediction(p.deviceId(), null, p.ts(), p.model(), p.modelVersion(), p.sequence(), p.outputs()))
        .toList();
  }

  List<Prediction> sitePredictions(String site, Instant from, Instant to) {
    return predictions.stream().filter(p -> p.site().equals(site) && in(p.ts(), from, to))
        .sorted(Comparator.comparing(Prediction::ts).thenComparing(Prediction::deviceId).thenComparing(Prediction::model))
        .map(p -> new Prediction(p.deviceId(), p.site(), p.ts(), p.model(), p.modelVersion(), null, p.outputs()))
        .toList();
  }

  List<Alert> alerts(Predicate<Alert> whose, Instant from, Instant to) {
    // Same-length hex ids: text order is Cassandra's byte order of these (version 4) UUIDs.
    return alerts.stream().filter(a -> whose.test(a) && in(a.raisedAt(), from, to))
        .sorted(Comparator.comparing(Alert::raisedAt).thenComparing(a -> a.alertId().toString()))
        .toList();
  }

  private static boolean in(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && t.isBefore(to);
  }

  // ---- writing ------------------------------------------------------------------------------------

  void insert(CqlSession session, String keyspace) {
    PreparedStatement device = session.prepare("INSERT INTO " + keyspace + ".devices"
        + " (device_id, site, profile, auto_provisioned, registered_at) VALUES (?, ?, 'rotating-machine', false, ?)");
    PreparedStatement bySite = session.prepare("INSERT INTO " + keyspace + ".devices_by_site"
        + " (site, device_id, profile) VALUES (?, ?, 'rotating-machine')");
    SITE_OF.forEach((id, site) -> {
      session.execute(device.bind(id, site, at("2026-01-01T00:00:00Z")));
      session.execute(bySite.bind(site, id));
    });

    PreparedStatement deviceRollup = session.prepare("INSERT INTO " + keyspace + ".rollups_by_device_day"
        + " (device_id, day, minute, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    PreparedStatement siteRollup = session.prepare("INSERT INTO " + keyspace + ".rollups_by_site_hour"
        + " (site, hour, minute, device_id, metric, count, mean, min, max, stddev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (Rollup r : rollups) {
      session.execute(deviceRollup.bind(r.deviceId(), day(r.minute()), r.minute(), r.metric(), r.count(), r.mean(),
          r.min(), r.max(), r.stddev()));
      session.execute(siteRollup.bind(r.site(), r.minute().truncatedTo(ChronoUnit.HOURS), r.minute(), r.deviceId(),
          r.metric(), r.count(), r.mean(), r.min(), r.max(), r.stddev()));
    }

    PreparedStatement devicePrediction = session.prepare("INSERT INTO " + keyspace + ".predictions_by_device_day"
        + " (device_id, day, ts, model, model_version, seq, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    PreparedStatement sitePrediction = session.prepare("INSERT INTO " + keyspace + ".predictions_by_site_hour"
        + " (site, hour, ts, device_id, model, model_version, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (Prediction p : predictions) {
      session.execute(devicePrediction.bind(p.deviceId(), day(p.ts()), p.ts(), p.model(), p.modelVersion(),
          p.sequence(), p.outputs()));
      session.execute(sitePrediction.bind(p.site(), p.ts().truncatedTo(ChronoUnit.HOURS), p.ts(), p.deviceId(),
          p.model(), p.modelVersion(), p.outputs()));
    }

    String alertColumns = "raised_at, alert_id, device_id, site, alert_type, severity, status, last_at, last_value,"
        + " trigger_count, acknowledged_by, acknowledged_at, cleared_by, cleared_at, note";
    String alertValues = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    PreparedStatement deviceAlert = session.prepare("INSERT INTO " + keyspace + ".alerts_by_device_month"
        + " (month, " + alertColumns + ") VALUES (?, " + alertValues + ")");
    PreparedStatement siteAlert = session.prepare("INSERT INTO " + keyspace + ".alerts_by_site_day"
        + " (day, " + alertColumns + ") VALUES (?, " + alertValues + ")");
    for (Alert a : alerts) {
      Object[] values = {a.raisedAt(), a.alertId(), a.deviceId(), a.site(), a.type(), a.severity(), a.status(),
          a.lastAt(), a.lastValue(), a.triggerCount(), a.acknowledgedBy(), a.acknowledgedAt(), a.clearedBy(),
          a.clearedAt(), a.note()};
      session.execute(deviceAlert.bind(prepend(YearMonth.from(a.raisedAt().atOffset(ZoneOffset.UTC)).toString(), values)));
      session.execute(siteAlert.bind(prepend(day(a.raisedAt()), values)));
    }
  }

  private static LocalDate day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
