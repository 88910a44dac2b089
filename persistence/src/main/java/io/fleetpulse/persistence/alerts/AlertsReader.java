package io.fleetpulse.persistence.alerts;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.fleetpulse.persistence.cassandra.AllRows;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads the alert tables for the node: a device's open alerts (what its actor takes back when it
 * starts), and one page of a site's alerts in one open status, newest first (what the operators'
 * alert list shows). Thread-safe.
 */
public final class AlertsReader {

  /**
   * One page of rows and the driver's paging state of the next (empty after the last). Callers
   * hand the state to clients in a token of their own that binds it to the query.
   */
  public record Page(List<AlertRow> rows, Optional<ByteBuffer> next) {}

  private final CqlSession session;
  private final PreparedStatement openByDevice;
  private final PreparedStatement bySiteStatus;

  public AlertsReader(CqlSession session, String keyspace) {
    this.session = session;
    this.openByDevice = session.prepare("SELECT * FROM " + keyspace + ".alerts_open_by_device WHERE device_id = ?");
    this.bySiteStatus = session.prepare("SELECT * FROM " + keyspace + ".alerts_by_site_status WHERE site = ? AND status = ?");
  }

  /** The device's alerts not yet cleared and acknowledged, any order; at most one partition. */
  public CompletionStage<List<AlertRow>> open(String deviceId) {
    return AllRows.read(session.executeAsync(openByDevice.bind(deviceId).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)),
        AlertsReader::row);
  }

  /**
   * Up to {@code limit} alerts of the site in an open status, newest first, from the paging state
   * of a previous page (empty: the first page).
   */
  public CompletionStage<Page> bySiteStatus(String site, String status, int limit, Optional<ByteBuffer> from) {
    BoundStatement statement = bySiteStatus.bind(site, status).setPageSize(limit)
        .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
    if (from.isPresent()) {
      statement = statement.setPagingState(from.get());
    }
    return session.executeAsync(statement).thenApply(page -> {
      List<AlertRow> rows = new ArrayList<>();
      for (Row row : page.currentPage()) {
        rows.add(row(row));
      }
      return new Page(rows, page.hasMorePages() ? Optional.of(page.getExecutionInfo().getPagingState()) : Optional.empty());
    });
  }

  /** A row of either table: both hold every column of an alert. */
  private static AlertRow row(Row row) {
    return new AlertRow(row.getUuid("alert_id"), row.getString("device_id"), row.getString("site"),
        row.getString("alert_type"), row.getString("severity"), row.getString("status"), row.getString("message"),
        row.getInstant("raised_at"), row.getInstant("last_at"), row.getDouble("last_value"), row.getInt("trigger_count"),
        row.getString("acknowledged_by"), row.getInstant("acknowledged_at"), row.getString("cleared_by"),
        row.getInstant("cleared_at"), row.getString("note"), row.getLong("revision"));
  }
}
