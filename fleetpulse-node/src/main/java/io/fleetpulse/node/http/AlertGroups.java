package io.fleetpulse.node.http;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A site's open alerts gathered into groups of one (site, rule type, severity, status): what
 * {@code GET /api/sites/{site}/alerts/groups} answers and what an operator acknowledges or clears
 * at once. A plain function of the alerts, so a burst of 2,000 alike alerts is one group of 2,000.
 */
final class AlertGroups {

  private AlertGroups() {}

  /**
   * One group.
   *
   * @param firstRaisedAtMillis when its oldest alert was raised
   * @param lastRaisedAtMillis when its newest alert was raised
   * @param lastAtMillis the latest trigger of any of its alerts
   */
  public record Group(String site, String type, AlertSeverity severity, AlertStatus status, int count,
      long firstRaisedAtMillis, long lastRaisedAtMillis, long lastAtMillis) {

    Group with(Alert alert) {
      return new Group(site, type, severity, status, count + 1, Math.min(firstRaisedAtMillis, alert.raisedAtMillis()),
          Math.max(lastRaisedAtMillis, alert.raisedAtMillis()), Math.max(lastAtMillis, alert.lastAtMillis()));
    }
  }

  private record Key(String site, String type, AlertSeverity severity, AlertStatus status) {}

  /** Most severe first; within a severity the largest group first, then by type and status. */
  static final Comparator<Group> ORDER = Comparator.comparing(Group::severity)
      .thenComparing(Comparator.comparingInt(Group::count).reversed())
      .thenComparing(Group::type).thenComparing(Group::status).thenComparing(Group::site);

  /** The alerts' groups (an alert seen twice, by id, counts once: lists read page by page may overlap). */
  static List<Group> of(Collection<Alert> alerts) {
    Map<java.util.UUID, Alert> unique = new LinkedHashMap<>();
    for (Alert alert : alerts) {
      unique.merge(alert.alertId(), alert, (a, b) -> a.revision() >= b.revision() ? a : b);
    }
    Map<Key, Group> groups = new LinkedHashMap<>();
    for (Alert alert : unique.values()) {
      Key key = new Key(alert.site(), alert.type(), alert.severity(), alert.status());
      groups.merge(key, new Group(key.site(), key.type(), key.severity(), key.status(), 1, alert.raisedAtMillis(),
          alert.raisedAtMillis(), alert.lastAtMillis()), (known, one) -> known.with(alert));
    }
    return groups.values().stream().sorted(ORDER).toList();
  }
}
