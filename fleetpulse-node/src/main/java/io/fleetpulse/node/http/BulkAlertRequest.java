package io.fleetpulse.node.http;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.error.ErrorCode;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The body of {@code POST /api/sites/{site}/alerts/acknowledge} and {@code .../clear}: either a
 * group ({@code {"group": {"type", "severity", "status"?}}}) or alert ids ({@code {"alertIds":
 * [...]}}), and an optional {@code note}. {@link #validate} turns it into a {@link Selection} or
 * refuses it with a code: nothing is asked of a device before the whole request is known good.
 */
public record BulkAlertRequest(GroupKey group, List<String> alertIds, String note) {

  /** A group as {@code GET .../alerts/groups} answers it; without a status, every open status the action applies to. */
  public record GroupKey(String type, String severity, String status) {}

  /** What a bulk call does to each alert. */
  enum Action {
    ACKNOWLEDGE("acknowledge", List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.CLEARED_UNACK)),
    CLEAR("clear", List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.ACTIVE_ACK));

    private final String id;
    private final List<AlertStatus> from;

    Action(String id, List<AlertStatus> from) {
      this.id = id;
      this.from = from;
    }

    String id() {
      return id;
    }

    /** The open statuses this action changes; an alert in another is already done. */
    List<AlertStatus> from() {
      return from;
    }
  }

  /** A bad request: its code and a sentence for the caller. */
  static final class Invalid extends Exception {
    private final ErrorCode code;

    Invalid(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    ErrorCode code() {
      return code;
    }
  }

  /** Which of a site's open alerts a valid request names. */
  sealed interface Selection permits ByGroup, ByIds {
    /** The open statuses whose site lists must be read to find them. */
    List<AlertStatus> statuses();
  }

  /** A group's alerts in {@code statuses}: the oldest first, so that repeated calls work through a large group. */
  record ByGroup(String type, AlertSeverity severity, List<AlertStatus> statuses) implements Selection {

    boolean holds(Alert alert) {
      return alert.type().equals(type) && alert.severity() == severity && statuses.contains(alert.status());
    }

    List<Alert> pick(List<Alert> open) {
      return open.stream().filter(this::holds)
          .sorted(Comparator.comparingLong(Alert::raisedAtMillis).thenComparing(Alert::alertId)).toList();
    }
  }

  /** Alerts by id, in whatever open status they are (one already done is counted as such). */
  record ByIds(Set<UUID> ids) implements Selection {
    @Override
    public List<AlertStatus> statuses() {
      return List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.ACTIVE_ACK, AlertStatus.CLEARED_UNACK);
    }
  }

  /**
   * The request's selection, or why it is refused: 400 {@code request.invalid} for neither or both
   * of group and ids, a group without type or severity, an unknown severity or status, a status
   * the action does not change, an id that is not a UUID, an empty list or a note over {@code
   * maxNote} characters; 400 {@code alert.selection-too-large} for more than {@code maxAlerts} ids.
   */
  Selection validate(Action action, int maxAlerts, int maxNote) throws Invalid {
    if ((group == null) == (alertIds == null)) {
      throw invalid("name either a group ({\"group\": {\"type\", \"severity\", \"status\"}}) or \"alertIds\", not "
          + (group == null ? "neither" : "both"));
    }
    if (note != null && note.length() > maxNote) {
      throw invalid("'note' is longer than " + maxNote + " characters");
    }
    if (group != null) {
      if (group.type() == null || group.type().isBlank() || group.severity() == null) {
        throw invalid("a group names its \"type\" and \"severity\" (and may name a \"status\")");
      }
      AlertSeverity severity;
      List<AlertStatus> statuses;
      try {
        severity = AlertSeverity.parse(group.severity());
        statuses = group.status() == null ? action.from() : List.of(AlertStatus.parse(group.status()));
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage());
      }
      if (!action.from().containsAll(statuses)) {
        throw invalid(action.id() + " changes alerts in " + action.from() + ", not " + statuses);
      }
      return new ByGroup(group.type(), severity, statuses);
    }
    if (alertIds.isEmpty()) {
      throw invalid("\"alertIds\" is empty: name at least one alert");
    }
    if (alertIds.size() > maxAlerts) {
      throw new Invalid(ErrorCode.ALERT_SELECTION_TOO_LARGE, alertIds.size() + " alerts named; one call takes at most "
          + maxAlerts + ": send them in several calls, or act on their group");
    }
    Set<UUID> ids = new LinkedHashSet<>();
    for (String id : alertIds) {
      try {
        ids.add(UUID.fromString(String.valueOf(id)));
      } catch (IllegalArgumentException e) {
        throw invalid("'" + id + "' is not an alert id (a UUID)");
      }
    }
    return new ByIds(ids);
  }

  private static Invalid invalid(String message) {
    return new Invalid(ErrorCode.REQUEST_INVALID, message);
  }
}
