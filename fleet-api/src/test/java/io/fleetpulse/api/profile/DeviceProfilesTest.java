package io.fleetpulse.api.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeviceProfilesTest {

  @Test
  void reads_the_default_profiles_in_declared_metric_order() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());

    DeviceProfile machine = profiles.get("rotating-machine");
    assertThat(machine.metrics()).extracting(MetricSpec::name)
        .containsExactly("vibration", "bearing-temperature", "motor-current", "pressure", "speed");
    assertThat(machine.networkSlice()).isEqualTo(NetworkSlice.URLLC);
    assertThat(machine.inactivityTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(machine.indexOf("pressure")).isEqualTo(3);

    DeviceProfile environment = profiles.get("environment-sensor");
    assertThat(environment.metrics()).extracting(MetricSpec::name)
        .containsExactly("temperature", "humidity", "co2", "pm25");
    assertThat(environment.networkSlice()).isEqualTo(NetworkSlice.MMTC);
    assertThat(environment.metric("co2").orElseThrow().accepts(10_001)).isFalse();
  }

  @Test
  void rejects_a_profile_with_inverted_range() {
    var config = ConfigFactory.parseString(
        "fleetpulse.profiles.bad { description = x, network-slice = embb, inactivity-timeout = 1s,"
            + " ring-buffer-size = 4, models = [], metrics = [{ name = a, unit = u, min = 5, max = 1 }] }");

    assertThatThrownBy(() -> DeviceProfiles.fromConfig(config))
        .hasMessageContaining("invalid device profile 'bad'")
        .hasMessageContaining("min 5.0 must not exceed max 1.0");
  }

  @Test
  void reads_a_model_binding_s_min_window_defaulting_to_its_window_and_rejects_one_above_it() {
    String profile = "fleetpulse.profiles.p { description = x, network-slice = embb, inactivity-timeout = 1s,"
        + " ring-buffer-size = 8, metrics = [{ name = a, unit = u, min = 0, max = 1 }], models = [%s] }";
    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 3 }"))).get("p").models())
        .singleElement().satisfies(binding -> {
          assertThat(binding.window()).isEqualTo(6);
          assertThat(binding.minWindow()).isEqualTo(3);
          assertThat(binding.every()).isEqualTo(1);
        });
    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6 }"))).get("p").models().get(0).minWindow()).isEqualTo(6);
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 7 }"))))
        .hasMessageContaining("invalid device profile 'p'")
        .hasMessageContaining("min-window must be between 1 and the window (6), not 7");
  }

  @Test
  void reads_a_model_binding_s_fill_rows_defaulting_to_one_and_rejects_more_than_its_min_window() {
    String profile = "fleetpulse.profiles.p { description = x, network-slice = embb, inactivity-timeout = 1s,"
        + " ring-buffer-size = 8, metrics = [{ name = a, unit = u, min = 0, max = 1 }], models = [%s] }";
    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 3, fill-rows = 3 }"))).get("p").models().get(0).fillRows())
        .isEqualTo(3);
    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 3 }"))).get("p").models().get(0).fillRows())
        .as("the first message repeated, as before fill-rows existed").isEqualTo(1);
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 3, fill-rows = 4 }"))))
        .hasMessageContaining("invalid device profile 'p'")
        .hasMessageContaining("fill-rows must be between 1 and the min-window (3), not 4");
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "{ model = m, features = [a], window = 6, min-window = 3, fill-rows = 0 }"))))
        .hasMessageContaining("fill-rows must be between 1 and the min-window (3), not 0");
  }

  @Test
  void rejects_an_unknown_network_slice() {
    var config = ConfigFactory.parseString(
        "fleetpulse.profiles.bad { description = x, network-slice = 6g, inactivity-timeout = 1s,"
            + " ring-buffer-size = 4, models = [], metrics = [{ name = a, unit = u, min = 0, max = 1 }] }");

    assertThatThrownBy(() -> DeviceProfiles.fromConfig(config)).hasMessageContaining("unknown network slice '6g'");
  }

  @Test
  void reads_the_metrics_a_profile_scores_for_anomalies_and_rules_that_watch_them() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());

    DeviceProfile signal = profiles.get("univariate-signal");
    assertThat(signal.anomalyMetrics()).containsExactly("value");
    assertThat(signal.alertRules()).singleElement().satisfies(rule -> {
      assertThat(rule.source()).isEqualTo(AlertRule.Source.MODEL);
      assertThat(rule.name()).isEqualTo(DeviceProfile.anomalyModel("value"));
      assertThat(rule.output()).isEqualTo(1);
    });
    assertThat(profiles.get("rotating-machine").anomalyMetrics()).isEmpty();
  }

  @Test
  void reads_a_profile_s_rate_limit_and_leaves_it_empty_when_the_profile_declares_none() {
    String profile = "fleetpulse.profiles.p { description = x, network-slice = embb, inactivity-timeout = 1s,"
        + " ring-buffer-size = 4, models = [], metrics = [{ name = a, unit = u, min = 0, max = 1 }]\n%s }";

    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "rate-limit { messages-per-second = 0.5, burst = 30 }"))).get("p").declaredRateLimit())
        .contains(new RateLimit(0.5, 30));
    assertThat(DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(""))).get("p").declaredRateLimit())
        .isEmpty();
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "rate-limit { messages-per-second = 10, burst = 0 }")))).hasMessageContaining("invalid device profile 'p'")
        .hasMessageContaining("burst must be at least 1");
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        "rate-limit { messages-per-second = -1, burst = 5 }")))).hasMessageContaining("messages-per-second must be positive");
  }

  @Test
  void every_shipped_device_profile_declares_a_rate_limit() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());

    assertThat(profiles.all()).filteredOn(profile -> profile.role() == ClientRole.DEVICE).hasSize(4)
        .allSatisfy(profile -> assertThat(profile.declaredRateLimit()).isPresent());
    assertThat(profiles.get("rotating-machine").declaredRateLimit()).contains(new RateLimit(20, 1200));
  }

  @Test
  void rejects_anomaly_scores_of_a_metric_the_profile_lacks() {
    var config = ConfigFactory.parseString(
        "fleetpulse.profiles.bad { description = x, network-slice = embb, inactivity-timeout = 1s,"
            + " ring-buffer-size = 4, models = [], anomaly-scores = [b], metrics = [{ name = a, unit = u, min = 0, max = 1 }] }");

    assertThatThrownBy(() -> DeviceProfiles.fromConfig(config)).hasMessageContaining("anomaly-scores names 'b'");
  }

  @Test
  void rejects_a_rule_on_the_anomaly_scores_of_a_metric_not_scored() {
    var config = ConfigFactory.parseString(
        "fleetpulse.profiles.bad { description = x, network-slice = embb, inactivity-timeout = 1s,"
            + " ring-buffer-size = 4, models = [], metrics = [{ name = a, unit = u, min = 0, max = 1 }],"
            + " alert-rules = [{ type = a-anomaly, model = \"anomaly:a\", output = 1, above { warning = 0.9 }, clear-below = 0.5 }] }");

    assertThatThrownBy(() -> DeviceProfiles.fromConfig(config)).hasMessageContaining("watches model 'anomaly:a'");
  }

  @Test
  void clients_that_report_nothing_have_a_role_and_no_metrics_and_devices_must_have_metrics() {
    DeviceProfiles profiles = DeviceProfiles.fromConfig(ConfigFactory.load());
    assertThat(profiles.get("edge-gateway").role()).isEqualTo(ClientRole.EDGE_GATEWAY);
    assertThat(profiles.get("alert-consumer").role()).isEqualTo(ClientRole.ALERT_CONSUMER);
    assertThat(profiles.get("edge-gateway").metrics()).isEmpty();

    String profile = """
        fleetpulse.profiles.p { description = d, network-slice = mmtc, inactivity-timeout = 1m, ring-buffer-size = 1,
          offline-alert = none %s }
        """;
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(""))))
        .hasMessageContaining("declares no metrics");
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(
        ", role = edge-gateway, metrics = [{ name = v, unit = \"1\", min = 0, max = 1 }]"))))
        .hasMessageContaining("reports nothing");
    assertThatThrownBy(() -> DeviceProfiles.fromConfig(ConfigFactory.parseString(profile.formatted(", role = printer"))))
        .hasMessageContaining("not one of device, edge-gateway, alert-consumer");
  }
}
