package io.fleetpulse.fleet.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.profile.AlertRule;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.api.profile.NetworkSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

  private static final AlertRule OVERHEAT = new AlertRule("overheat", AlertRule.Source.METRIC, "temperature", 0,
      AlertRule.Direction.ABOVE, Map.of(AlertSeverity.CRITICAL, 110.0, AlertSeverity.WARNING, 85.0), 80,
      Duration.ofSeconds(10));
  private static final AlertRule RUL_LOW = new AlertRule("rul-low", AlertRule.Source.MODEL, "rul", 0,
      AlertRule.Direction.BELOW, Map.of(AlertSeverity.CRITICAL, 15.0, AlertSeverity.WARNING, 50.0), 60, Duration.ZERO);
  private static final DeviceProfile PROFILE = new DeviceProfile("p", "test",
      List.of(new MetricSpec("speed", "1/min", 0, 1e4), new MetricSpec("temperature", "Cel", -40, 200)),
      Duration.ofSeconds(60), NetworkSlice.EMBB, 8, List.of(new ModelBinding("rul", List.of("speed"), 2, 1)),
      List.of(OVERHEAT, RUL_LOW), AlertSeverity.MAJOR);

  private final AlertRules rules = new AlertRules(PROFILE, Duration.ofSeconds(30));
  private final List<AlertSignal> out = new ArrayList<>();

  private void temperature(double value, long second) {
    rules.reading(1, value, second * 1000, out);
  }

  @Test
  void raises_only_after_the_condition_held_for_its_minimum_duration() {
    temperature(90, 0);
    temperature(91, 5);
    assertThat(out).isEmpty();
    temperature(92, 10);
    assertThat(out).singleElement().isInstanceOfSatisfying(AlertSignal.Triggered.class, triggered -> {
      assertThat(triggered.type()).isEqualTo("overheat");
      assertThat(triggered.severity()).isEqualTo(AlertSeverity.WARNING);
      assertThat(triggered.value()).isEqualTo(92);
      assertThat(triggered.message()).isEqualTo("temperature is 92, above the warning threshold 85");
    });
    assertThat(rules.holds("overheat")).isTrue();
  }

  @Test
  void readings_out_of_event_order_still_meet_the_minimum_duration_and_an_old_one_does_not_clear() {
    temperature(90, 1);  // second 0 arrives after second 1
    temperature(90, 0);
    for (int second = 3; second <= 9; second++) {
      temperature(90, second);
    }
    temperature(90, 10);
    assertThat(out).singleElement().isInstanceOf(AlertSignal.Triggered.class);
    temperature(70, 2); // a late reading from before the alert: not a sign the condition ended
    assertThat(out).hasSize(1);
    assertThat(rules.holds("overheat")).isTrue();
    temperature(70, 11);
    assertThat(out.get(1)).isInstanceOf(AlertSignal.Resolved.class);
  }

  @Test
  void a_spike_shorter_than_the_minimum_duration_raises_nothing() {
    temperature(120, 0);
    temperature(70, 5);
    temperature(120, 9);
    temperature(120, 18);
    assertThat(out).isEmpty();
  }

  @Test
  void a_value_hovering_between_clear_and_raise_thresholds_does_not_flap() {
    temperature(90, 0);
    temperature(90, 10);
    out.clear();
    for (int second = 11; second < 29; second++) {
      temperature(second % 2 == 0 ? 84 : 86, second); // crosses 85 back and forth, never below 80
    }
    assertThat(out).isEmpty();
    temperature(79.5, 29);
    assertThat(out).singleElement().isInstanceOf(AlertSignal.Resolved.class);
    assertThat(rules.holds("overheat")).isFalse();
  }

  @Test
  void escalates_at_once_and_otherwise_reports_once_per_update_interval_with_the_readings_it_saw() {
    temperature(90, 0);
    temperature(90, 10);
    temperature(95, 11);
    temperature(96, 12);
    assertThat(out).hasSize(1);
    temperature(115, 13);
    assertThat(out).hasSize(2);
    assertThat(((AlertSignal.Triggered) out.get(1)).severity()).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(((AlertSignal.Triggered) out.get(1)).occurrences()).isEqualTo(3);
    for (int second = 14; second <= 43; second++) {
      temperature(115, second);
    }
    assertThat(out).hasSize(3);
    assertThat(((AlertSignal.Triggered) out.get(2)).occurrences()).isEqualTo(30);
  }

  @Test
  void watches_a_model_output() {
    rules.prediction("rul", new float[] {70f}, 0, out);
    rules.prediction("rul", new float[] {45f}, 1000, out);
    rules.prediction("rul", new float[] {12f}, 2000, out);
    rules.prediction("other-model", new float[] {1f}, 3000, out);
    assertThat(out).extracting(signal -> ((AlertSignal.Triggered) signal).severity())
        .containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    rules.prediction("rul", new float[] {61f}, 4000, out);
    assertThat(out.get(2)).isInstanceOf(AlertSignal.Resolved.class);
  }

  @Test
  void profiles_read_rules_from_config_and_refuse_inconsistent_ones() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());
    DeviceProfile machine = profiles.get("rotating-machine");
    assertThat(machine.alertRules()).extracting(AlertRule::type).containsExactly("vibration-high", "bearing-overheat");
    assertThat(machine.offlineAlert()).contains(AlertSeverity.MAJOR);
    assertThat(profiles.get("turbofan").alertRules().get(0).severityOf(20)).contains(AlertSeverity.MAJOR);

    assertThatThrownBy(() -> new AlertRule("x", AlertRule.Source.METRIC, "t", 0, AlertRule.Direction.ABOVE,
        Map.of(AlertSeverity.WARNING, 85.0), 90, Duration.ZERO)).hasMessageContaining("clear threshold");
    assertThatThrownBy(() -> new AlertRule("x", AlertRule.Source.METRIC, "t", 0, AlertRule.Direction.ABOVE,
        Map.of(AlertSeverity.CRITICAL, 80.0, AlertSeverity.WARNING, 85.0), 70, Duration.ZERO))
        .hasMessageContaining("less extreme");
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString("""
        fleetpulse.profiles.x {
          description = x, network-slice = mmtc, inactivity-timeout = 1m, ring-buffer-size = 1, models = []
          metrics = [{ name = a, unit = "1", min = 0, max = 1 }]
          alert-rules = [{ type = t, metric = b, above { major = 1 }, clear-below = 0 }]
        }"""))).hasMessageContaining("watches metric 'b', which the profile lacks");
  }
}
