package io.fleetpulse.persistence.alerts;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.persistence.records.RecordsWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Device actors' alerts in Cassandra: every change through the records writer (retried, written
 * at the alert's revision so versions never overwrite newer ones), open alerts read back from
 * {@code alerts_open_by_device}. Counts saved and failed changes
 * ({@code fleetpulse_alerts_saved_total}, {@code fleetpulse_alerts_failed_total}).
 */
public final class CassandraAlertStore implements AlertStore {

  private final RecordsWriter writer;
  private final AlertsReader reader;
  private final Counter saved;
  private final Counter failed;

  public CassandraAlertStore(RecordsWriter writer, AlertsReader reader, MeterRegistry meters) {
    this.writer = writer;
    this.reader = reader;
    this.saved = Counter.builder("fleetpulse.alerts.saved").description("alert changes stored").register(meters);
    this.failed = Counter.builder("fleetpulse.alerts.failed")
        .description("alert changes Cassandra refused or failed on every attempt").register(meters);
  }

  @Override
  public CompletionStage<List<Alert>> open(String deviceId) {
    return reader.open(deviceId).thenApply(rows -> rows.stream().map(CassandraAlertStore::alert).toList());
  }

  @Override
  public CompletionStage<Void> save(AlertChange change) {
    return writer.alert(row(change.alert()), change.previousStatus() == null ? null : change.previousStatus().name())
        .whenComplete((done, failure) -> (failure == null ? saved : failed).increment());
  }

  /**
   * Up to {@code limit} of the site's alerts in one open status, newest first, from the paging
   * state of a previous page (empty: the first page); the page's {@code next} is empty after the last.
   */
  public CompletionStage<SitePage> bySiteStatus(String site, AlertStatus status, int limit, Optional<ByteBuffer> from) {
    return reader.bySiteStatus(site, status.name(), limit, from)
        .thenApply(page -> new SitePage(page.rows().stream().map(CassandraAlertStore::alert).toList(), page.next()));
  }

  /** One page of a site's alerts and the driver's paging state of the next. */
  public record SitePage(List<Alert> alerts, Optional<ByteBuffer> next) {}

  static AlertRow row(Alert alert) {
    return new AlertRow(alert.alertId(), alert.deviceId(), alert.site(), alert.type(), alert.severity().name(),
        alert.status().name(), alert.message(), Instant.ofEpochMilli(alert.raisedAtMillis()),
        Instant.ofEpochMilli(alert.lastAtMillis()), alert.lastValue(), alert.triggerCount(), alert.acknowledgedBy(),
        instant(alert.acknowledgedAtMillis()), alert.clearedBy(), instant(alert.clearedAtMillis()), alert.note(),
        alert.revision());
  }

  /** An alert as a table row holds it (the row's own status). */
  static Alert alert(AlertRow row) {
    return new Alert(row.alertId(), row.deviceId(), row.site(), row.type(), AlertSeverity.parse(row.severity()),
        AlertStatus.parse(row.status()), row.message(), row.raisedAt().toEpochMilli(), row.lastAt().toEpochMilli(),
        row.lastValue(), row.triggerCount(), row.acknowledgedBy(), millis(row.acknowledgedAt()), row.clearedBy(),
        millis(row.clearedAt()), row.note(), row.revision());
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }
}
