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
  void rejects_an_unknown_network_slice() {
    var config = ConfigFactory.parseString(
        "fleetpulse.profiles.bad { description = x, network-slice = 6g, inactivity-timeout = 1s,"
            + " ring-buffer-size = 4, models = [], metrics = [{ name = a, unit = u, min = 0, max = 1 }] }");

    assertThatThrownBy(() -> DeviceProfiles.fromConfig(config)).hasMessageContaining("unknown network slice '6g'");
  }
}
