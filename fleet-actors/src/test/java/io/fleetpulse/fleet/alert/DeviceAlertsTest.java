package io.fleetpulse.fleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.error.ErrorCode;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeviceAlertsTest {

  private final AtomicLong ids = new AtomicLong();
  private final DeviceAlerts alerts = new DeviceAlerts("rm-1", () -> new UUID(0, ids.incrementAndGet()));

  private static AlertSignal.Triggered hot(double value) {
    return new AlertSignal.Triggered("overheat", AlertSeverity.WARNING, value, 0, 1, "hot");
  }

  private Alert raise() {
    return alerts.apply(hot(90), "plant-a", 1000).orElseThrow().alert();
  }

  @Test
  void a_trigger_while_active_updates_the_alert_instead_of_raising_another() {
    Alert raised = raise();
    AlertChange update = alerts.apply(new AlertSignal.Triggered("overheat", AlertSeverity.CRITICAL, 120, 0, 4, "hotter"),
        "plant-a", 2000).orElseThrow();

    assertThat(update.previousStatus()).isEqualTo(AlertStatus.ACTIVE_UNACK);
    assertThat(update.alert().alertId()).isEqualTo(raised.alertId());
    assertThat(update.alert().triggerCount()).isEqualTo(5);
    assertThat(update.alert().lastValue()).isEqualTo(120);
    assertThat(update.alert().lastAtMillis()).isEqualTo(2000);
    assertThat(update.alert().raisedAtMillis()).isEqualTo(1000);
    assertThat(update.alert().severity()).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(update.alert().revision()).isEqualTo(1);
    assertThat(alerts.open()).hasSize(1);
  }

  @Test
  void acknowledged_then_resolved_ends_cleared_and_acknowledged() {
    Alert raised = raise();
    DeviceAlerts.Decision ack = alerts.acknowledge(raised.alertId(), "ada", "on it", 1500);
    assertThat(((DeviceAlerts.Decision.Changed) ack).change().alert())
        .returns(AlertStatus.ACTIVE_ACK, Alert::status).returns("ada", Alert::acknowledgedBy)
        .returns(1500L, Alert::acknowledgedAtMillis).returns("on it", Alert::note);

    AlertChange resolved = alerts.apply(new AlertSignal.Resolved("overheat", 70, 0, "cool"), "plant-a", 3000).orElseThrow();

    assertThat(resolved.previousStatus()).isEqualTo(AlertStatus.ACTIVE_ACK);
    assertThat(resolved.alert().status()).isEqualTo(AlertStatus.CLEARED_ACK);
    assertThat(resolved.alert().clearedBy()).isEqualTo(Alert.SYSTEM);
    assertThat(alerts.open()).isEmpty();
  }

  @Test
  void cleared_before_acknowledged_stays_open_until_acknowledged() {
    Alert raised = raise();
    DeviceAlerts.Decision clear = alerts.clear(raised.alertId(), "bob", "reset the pump", 2000);
    assertThat(((DeviceAlerts.Decision.Changed) clear).change().alert().status()).isEqualTo(AlertStatus.CLEARED_UNACK);

    // The condition comes back: a new alert, the cleared one still waits for its acknowledgement.
    Alert again = alerts.apply(hot(95), "plant-a", 2500).orElseThrow().alert();
    assertThat(again.alertId()).isNotEqualTo(raised.alertId());
    assertThat(alerts.open()).extracting(Alert::status).containsExactly(AlertStatus.CLEARED_UNACK, AlertStatus.ACTIVE_UNACK);

    DeviceAlerts.Decision ack = alerts.acknowledge(raised.alertId(), "bob", null, 3000);
    assertThat(((DeviceAlerts.Decision.Changed) ack).change().alert())
        .returns(AlertStatus.CLEARED_ACK, Alert::status).returns("reset the pump", Alert::note);
    assertThat(alerts.open()).extracting(Alert::alertId).containsExactly(again.alertId());
  }

  @Test
  void refuses_what_the_lifecycle_does_not_allow() {
    Alert raised = raise();
    alerts.acknowledge(raised.alertId(), "ada", null, 1500);

    assertThat(alerts.acknowledge(raised.alertId(), "bob", null, 1600))
        .isEqualTo(new DeviceAlerts.Decision.Refused(ErrorCode.ALERT_ALREADY_ACKNOWLEDGED, "alert " + raised.alertId()
            + " was acknowledged by ada"));
    assertThat(alerts.clear(new UUID(9, 9), "bob", null, 1600))
        .isInstanceOfSatisfying(DeviceAlerts.Decision.Refused.class,
            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ALERT_UNKNOWN));
    alerts.clear(raised.alertId(), "ada", null, 1700);
    assertThat(alerts.clear(raised.alertId(), "ada", null, 1800)).isInstanceOf(DeviceAlerts.Decision.Refused.class);
    assertThat(alerts.apply(new AlertSignal.Resolved("overheat", 1, 0, "cool"), "plant-a", 1900)).isEmpty();
  }

  @Test
  void restored_alerts_are_updated_not_duplicated() {
    Alert stored = Alert.raised(new UUID(7, 7), "rm-1", "plant-a", "overheat", AlertSeverity.WARNING, "hot", 500, 90, 3);
    alerts.restore(List.of(stored));

    AlertChange change = alerts.apply(hot(91), "plant-a", 1000).orElseThrow();

    assertThat(change.alert().alertId()).isEqualTo(stored.alertId());
    assertThat(change.alert().triggerCount()).isEqualTo(4);
    assertThat(change.alert().revision()).isEqualTo(1);
  }
}
