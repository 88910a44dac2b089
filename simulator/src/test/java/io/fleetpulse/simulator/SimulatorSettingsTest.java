package io.fleetpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatorSettingsTest {

  private static SimulatorSettings fromArgs(String... args) {
    return SimulatorSettings.fromConfig(
        CommandLine.parse(args).orElseThrow().withFallback(ConfigFactory.defaultReference()));
  }

  @Test
  void reads_the_documented_defaults_from_an_empty_config() {
    SimulatorSettings settings =
        SimulatorSettings.fromConfig(ConfigFactory.empty().withFallback(ConfigFactory.defaultReference()));

    assertThat(settings.brokerUrl()).isEqualTo(URI.create("tcp://127.0.0.1:1883"));
    assertThat(settings.apiUrl()).isEmpty();
    assertThat(settings.devices()).isEqualTo(300);
    assertThat(settings.connections()).isZero();
    assertThat(settings.effectiveConnections()).isEqualTo(6);
    assertThat(settings.rate()).isEqualTo(100);
    assertThat(settings.maxInFlightPerConnection()).isEqualTo(100);
    assertThat(settings.messages()).isZero();
    assertThat(settings.duration()).isZero();
    assertThat(settings.sites()).isEqualTo(3);
    assertThat(settings.rotatingMachineShare()).isEqualTo(0.6);
    assertThat(settings.compactShare()).isEqualTo(0.5);
    assertThat(settings.malformedShare()).isZero();
    assertThat(settings.duplicateShare()).isZero();
    assertThat(settings.lateShare()).isZero();
    assertThat(settings.progressInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.drain()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.tuning().oversizePayloadBytes()).isGreaterThan(70_000);
    assertThat(settings.tuning().skewedTimestampAge()).isEqualTo(Duration.ofDays(3650));
    assertThat(SimulatorSettings.defaults()).isEqualTo(settings);
    assertThat(settings.validated()).isSameAs(settings);
  }

  @Test
  void command_line_options_override_the_config() {
    SimulatorSettings settings = fromArgs("--devices", "200", "--messages", "10000", "--malformed-share", "0.05",
        "--duplicateShare", "0.02", "--api-url=http://127.0.0.1:8080", "--duration", "2m",
        "--tuning.tick-interval", "5ms", "--connections", "200");

    assertThat(settings.devices()).isEqualTo(200);
    assertThat(settings.messages()).isEqualTo(10_000);
    assertThat(settings.malformedShare()).isEqualTo(0.05);
    assertThat(settings.duplicateShare()).isEqualTo(0.02);
    assertThat(settings.apiUrl()).contains(URI.create("http://127.0.0.1:8080"));
    assertThat(settings.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.tuning().tickInterval()).isEqualTo(Duration.ofMillis(5));
    assertThat(settings.effectiveConnections()).isEqualTo(200);
  }

  @Test
  void rejects_unknown_options_and_missing_values() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flux", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--flux");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--devices"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing value");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--tuning", "x"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CommandLine.parse(new String[] {"--help"})).isEmpty();
  }

  @Test
  void with_methods_change_one_value_each() {
    SimulatorSettings settings = SimulatorSettings.defaults()
        .withBrokerUrl("tcp://localhost:1884").withApiUrl("http://localhost:8080").withDevices(50)
        .withConnections(5).withMessages(2_000).withRate(0).withSeed(7).withDrain(Duration.ZERO);

    assertThat(settings.brokerUrl().getPort()).isEqualTo(1884);
    assertThat(settings.apiUrl()).contains(URI.create("http://localhost:8080"));
    assertThat(settings.devices()).isEqualTo(50);
    assertThat(settings.connections()).isEqualTo(5);
    assertThat(settings.messages()).isEqualTo(2_000);
    assertThat(settings.rate()).isZero();
    assertThat(settings.seed()).isEqualTo(7);
    assertThat(settings.drain()).isZero();
    assertThat(settings.sites()).isEqualTo(SimulatorSettings.defaults().sites());
    assertThat(settings.withApiUrl(Optional.empty()).apiUrl()).isEmpty();
  }

  @Test
  void validation_names_the_inconsistent_value() {
    assertThatThrownBy(() -> SimulatorSettings.defaults().withDevices(5).withConnections(6).validated())
        .hasMessageContaining("connections");
    assertThatThrownBy(() -> SimulatorSettings.defaults().withMalformedShare(1.5).validated())
        .hasMessageContaining("shares");
    assertThatThrownBy(() -> SimulatorSettings.defaults().withBrokerUrl("ws://host:8000").validated())
        .hasMessageContaining("broker-url");
    assertThatThrownBy(() -> SimulatorSettings.defaults().withTimeAcceleration(0).validated())
        .hasMessageContaining("time-acceleration");
  }

  @Test
  void derives_one_connection_per_fifty_devices_when_not_given() {
    assertThat(SimulatorSettings.defaults().withDevices(1).effectiveConnections()).isEqualTo(1);
    assertThat(SimulatorSettings.defaults().withDevices(50).effectiveConnections()).isEqualTo(1);
    assertThat(SimulatorSettings.defaults().withDevices(51).effectiveConnections()).isEqualTo(2);
  }
}
