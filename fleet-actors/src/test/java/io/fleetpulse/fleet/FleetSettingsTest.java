package io.fleetpulse.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FleetSettingsTest {

  @Test
  void reads_the_defaults_of_reference_conf() {
    FleetSettings settings = FleetSettings.fromConfig(ConfigFactory.empty().withFallback(ConfigFactory.defaultReference()));

    FleetSettings.Device device = settings.device();
    assertThat(device.aggregationWindows()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(15));
    assertThat(device.bucketsPerWindow()).isEqualTo(6);
    assertThat(device.sequenceWindow()).isEqualTo(1024);
    assertThat(device.sequenceRestartAfter()).isEqualTo(10);
    assertThat(device.passivationIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(device.activeEntityLimit()).isEqualTo(100_000);
    assertThat(device.askTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(device.recentReadings()).isEqualTo(20);
    assertThat(device.anomaly().reorderHold()).isEqualTo(Duration.ofSeconds(2));
    assertThat(device.anomaly().reorderCapacity()).isEqualTo(1024);
    assertThat(device.anomaly().learningReadings()).isEqualTo(750);
    assertThat(device.anomaly().detector().resolutions()).isNotEmpty();
    assertThat(settings.directory().askTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void an_override_replaces_only_its_key() {
    FleetSettings settings = FleetSettings.fromConfig(
        ConfigFactory.parseString("fleetpulse.fleet.device { aggregation-windows = [30s], sequence-window = 128 }")
            .withFallback(ConfigFactory.defaultReference()));

    assertThat(settings.device().aggregationWindows()).containsExactly(Duration.ofSeconds(30));
    assertThat(settings.device().sequenceWindow()).isEqualTo(128);
    assertThat(settings.device().bucketsPerWindow()).isEqualTo(6);
  }

  @Test
  void rejects_an_empty_list_of_aggregation_windows() {
    assertThatThrownBy(() -> FleetSettings.fromConfig(
            ConfigFactory.parseString("fleetpulse.fleet.device.aggregation-windows = []")
                .withFallback(ConfigFactory.defaultReference())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aggregation-windows");
  }

  @Test
  void rejects_a_negative_sequence_restart_count() {
    assertThatThrownBy(() -> FleetSettings.fromConfig(
            ConfigFactory.parseString("fleetpulse.fleet.device.sequence-restart-after = -1")
                .withFallback(ConfigFactory.defaultReference())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence-restart-after");
  }

  @Test
  void keeps_its_own_copy_of_the_window_list() {
    java.util.List<Duration> windows = new java.util.ArrayList<>(java.util.List.of(Duration.ofMinutes(1)));
    FleetSettings.Device device = new FleetSettings.Device(windows, 6, 1024,
        new FleetSettings.DeliveryMemory(Duration.ofSeconds(20), 256), Duration.ofMinutes(10), 100_000, Duration.ofSeconds(5), 20, Duration.ofSeconds(3), 2,
        new FleetSettings.Recovery(Duration.ofMinutes(15), 20000, 1000, Duration.ofMillis(200), Duration.ofSeconds(10)),
        new FleetSettings.Alerts(Duration.ofSeconds(10)), "device",
        new FleetSettings.Anomaly(io.fleetpulse.anomaly.AnomalySettings.fromConfig(ConfigFactory.defaultReference()),
            Duration.ofSeconds(2), 64, 750), 10);

    windows.add(Duration.ofHours(1));

    assertThat(device.aggregationWindows()).containsExactly(Duration.ofMinutes(1));
  }
}
