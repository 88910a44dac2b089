package io.fleetpulse.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AlertGroupsTest {

  static Alert alert(String device, String site, String type, AlertSeverity severity, long raisedAt) {
    return Alert.raised(UUID.randomUUID(), device, site, type, severity, "m", raisedAt, 1.0, 1);
  }

  @Test
  void a_burst_of_alike_alerts_is_one_group_with_its_count_and_first_and_last_raise() {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      alerts.add(alert("burst-" + i, "plant-1", "level-high", AlertSeverity.MINOR, 1_000 + i));
    }
    List<AlertGroups.Group> groups = AlertGroups.of(alerts);
    assertThat(groups).containsExactly(new AlertGroups.Group("plant-1", "level-high", AlertSeverity.MINOR,
        AlertStatus.ACTIVE_UNACK, 2000, 1_000, 2_999, 2_999));
  }

  @Test
  void groups_split_by_site_type_severity_and_status_most_severe_and_largest_first() {
    Alert acknowledged = alert("d-3", "plant-1", "level-high", AlertSeverity.MINOR, 5).acknowledged("ada", null, 9);
    List<AlertGroups.Group> groups = AlertGroups.of(List.of(
        alert("d-1", "plant-1", "level-high", AlertSeverity.MINOR, 1),
        alert("d-2", "plant-1", "level-high", AlertSeverity.MINOR, 2),
        acknowledged,
        alert("d-4", "plant-2", "level-high", AlertSeverity.MINOR, 3),
        alert("d-5", "plant-1", "bearing-overheat", AlertSeverity.CRITICAL, 4),
        alert("d-6", "plant-1", "level-high", AlertSeverity.MAJOR, 6)));
    assertThat(groups).extracting(g -> g.site() + " " + g.type() + " " + g.severity() + " " + g.status() + " " + g.count())
        .containsExactly(
            "plant-1 bearing-overheat CRITICAL ACTIVE_UNACK 1",
            "plant-1 level-high MAJOR ACTIVE_UNACK 1",
            "plant-1 level-high MINOR ACTIVE_UNACK 2",
            "plant-2 level-high MINOR ACTIVE_UNACK 1",
            "plant-1 level-high MINOR ACTIVE_ACK 1");
  }

  @Test
  void an_alert_read_twice_counts_once_in_its_latest_status() {
    Alert raised = alert("d-1", "plant-1", "level-high", AlertSeverity.MINOR, 1);
    Alert acknowledged = raised.acknowledged("ada", null, 2);
    assertThat(AlertGroups.of(List.of(raised, acknowledged)))
        .extracting(AlertGroups.Group::status, AlertGroups.Group::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertStatus.ACTIVE_ACK, 1));
  }

  @Test
  void no_alerts_no_groups() {
    assertThat(AlertGroups.of(List.of())).isEmpty();
  }
}
