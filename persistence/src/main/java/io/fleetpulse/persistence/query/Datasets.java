package io.fleetpulse.persistence.query;

import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The six tables of the query API (schema versions 1 and 2 of the persistence module) and how
 * their rows become items. Column names are the schema's; item fields are camelCase.
 */
public final class Datasets {

  public static final Dataset<RollupItem> DEVICE_ROLLUPS = new Dataset<>(
      "device-rollups", Scope.DEVICE, "rollups", "rollups_by_device_day", "device_id", BucketKind.DAY, "day", "minute",
      Optional.of("metric"), List.of("device_id", "minute", "metric", "count", "mean", "min", "max", "stddev"),
      row -> rollup(row, null),
      List.of(
          new CsvColumn<>("deviceId", RollupItem::deviceId), new CsvColumn<>("metric", RollupItem::metric),
          new CsvColumn<>("minute", RollupItem::minute), new CsvColumn<>("count", RollupItem::count),
          new CsvColumn<>("mean", RollupItem::mean), new CsvColumn<>("min", RollupItem::min),
          new CsvColumn<>("max", RollupItem::max), new CsvColumn<>("stddev", RollupItem::stddev)));

  public static final Dataset<RollupItem> SITE_ROLLUPS = new Dataset<>(
      "site-rollups", Scope.SITE, "rollups", "rollups_by_site_hour", "site", BucketKind.HOUR, "hour", "minute",
      Optional.of("metric"), List.of("site", "minute", "device_id", "metric", "count", "mean", "min", "max", "stddev"),
      row -> rollup(row, row.getString("site")),
      List.of(
          new CsvColumn<>("deviceId", RollupItem::deviceId), new CsvColumn<>("site", RollupItem::site),
          new CsvColumn<>("metric", RollupItem::metric), new CsvColumn<>("minute", RollupItem::minute),
          new CsvColumn<>("count", RollupItem::count), new CsvColumn<>("mean", RollupItem::mean),
          new CsvColumn<>("min", RollupItem::min), new CsvColumn<>("max", RollupItem::max),
          new CsvColumn<>("stddev", RollupItem::stddev)));

  public static final Dataset<PredictionItem> DEVICE_PREDICTIONS = new Dataset<>(
      "device-predictions", Scope.DEVICE, "predictions", "predictions_by_device_day", "device_id", BucketKind.DAY,
      "day", "ts", Optional.of("model"), List.of("device_id", "ts", "model", "model_version", "seq", "outputs"),
      row -> new PredictionItem(row.getString("device_id"), null, row.getInstant("ts"), row.getString("model"),
          row.getString("model_version"), row.get("seq", Long.class), row.getList("outputs", Float.class)),
      List.of(
          new CsvColumn<>("deviceId", PredictionItem::deviceId), new CsvColumn<>("ts", PredictionItem::ts),
          new CsvColumn<>("model", PredictionItem::model), new CsvColumn<>("modelVersion", PredictionItem::modelVersion),
          new CsvColumn<>("sequence", PredictionItem::sequence), new CsvColumn<>("outputs", PredictionItem::outputs)));

  public static final Dataset<PredictionItem> SITE_PREDICTIONS = new Dataset<>(
      "site-predictions", Scope.SITE, "predictions", "predictions_by_site_hour", "site", BucketKind.HOUR, "hour", "ts",
      Optional.of("model"), List.of("site", "ts", "device_id", "model", "model_version", "outputs"),
      row -> new PredictionItem(row.getString("device_id"), row.getString("site"), row.getInstant("ts"),
          row.getString("model"), row.getString("model_version"), null, row.getList("outputs", Float.class)),
      List.of(
          new CsvColumn<>("deviceId", PredictionItem::deviceId), new CsvColumn<>("site", PredictionItem::site),
          new CsvColumn<>("ts", PredictionItem::ts), new CsvColumn<>("model", PredictionItem::model),
          new CsvColumn<>("modelVersion", PredictionItem::modelVersion),
          new CsvColumn<>("outputs", PredictionItem::outputs)));

  private static final List<String> ALERT_COLUMNS = List.of(
      "raised_at", "alert_id", "device_id", "site", "alert_type", "severity", "status", "last_at", "last_value",
      "trigger_count", "acknowledged_by", "acknowledged_at", "cleared_by", "cleared_at", "note");

  private static final List<CsvColumn<AlertItem>> ALERT_CSV = List.of(
      new CsvColumn<>("alertId", AlertItem::alertId), new CsvColumn<>("deviceId", AlertItem::deviceId),
      new CsvColumn<>("site", AlertItem::site), new CsvColumn<>("type", AlertItem::type),
      new CsvColumn<>("severity", AlertItem::severity), new CsvColumn<>("status", AlertItem::status),
      new CsvColumn<>("raisedAt", AlertItem::raisedAt), new CsvColumn<>("lastAt", AlertItem::lastAt),
      new CsvColumn<>("lastValue", AlertItem::lastValue), new CsvColumn<>("triggerCount", AlertItem::triggerCount),
      new CsvColumn<>("acknowledgedBy", AlertItem::acknowledgedBy),
      new CsvColumn<>("acknowledgedAt", AlertItem::acknowledgedAt),
      new CsvColumn<>("clearedBy", AlertItem::clearedBy), new CsvColumn<>("clearedAt", AlertItem::clearedAt),
      new CsvColumn<>("note", AlertItem::note));

  public static final Dataset<AlertItem> DEVICE_ALERTS = new Dataset<>(
      "device-alerts", Scope.DEVICE, "alerts", "alerts_by_device_month", "device_id", BucketKind.MONTH, "month",
      "raised_at", Optional.empty(), ALERT_COLUMNS, Datasets::alert, ALERT_CSV);

  public static final Dataset<AlertItem> SITE_ALERTS = new Dataset<>(
      "site-alerts", Scope.SITE, "alerts", "alerts_by_site_day", "site", BucketKind.DAY, "day", "raised_at",
      Optional.empty(), ALERT_COLUMNS, Datasets::alert, ALERT_CSV);

  public static final List<Dataset<?>> ALL = List.of(
      DEVICE_ROLLUPS, DEVICE_PREDICTIONS, DEVICE_ALERTS, SITE_ROLLUPS, SITE_PREDICTIONS, SITE_ALERTS);

  private Datasets() {}

  /** The dataset behind {@code /api/data/{scope}/{subject}/{resource}}, if there is one. */
  public static Optional<Dataset<?>> find(Scope scope, String resource) {
    return ALL.stream().filter(d -> d.scope() == scope && d.resource().equals(resource)).findFirst();
  }

  private static RollupItem rollup(Row row, String site) {
    return new RollupItem(row.getString("device_id"), site, row.getString("metric"), row.getInstant("minute"),
        row.get("count", Long.class), row.get("mean", Double.class), row.get("min", Double.class),
        row.get("max", Double.class), row.get("stddev", Double.class));
  }

  private static AlertItem alert(Row row) {
    return new AlertItem(row.get("alert_id", UUID.class), row.getString("device_id"), row.getString("site"),
        row.getString("alert_type"), row.getString("severity"), row.getString("status"),
        row.get("raised_at", Instant.class), row.get("last_at", Instant.class), row.get("last_value", Double.class),
        row.get("trigger_count", Integer.class), row.getString("acknowledged_by"),
        row.get("acknowledged_at", Instant.class), row.getString("cleared_by"), row.get("cleared_at", Instant.class),
        row.getString("note"));
  }
}
