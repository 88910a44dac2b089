package io.fleetpulse.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.gateway.GatewaySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InMemoryDeviceRegistryTest {

  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.load());

  private final InMemoryDeviceRegistry registry = registry("");

  @Test
  void auto_provisions_a_device_by_pattern_at_the_site_of_its_topic() {
    assertThat(registry.resolve("rm-00042", "plant-1"))
        .contains(new DeviceRegistration("rm-00042", "plant-1", "rotating-machine", true));
    assertThat(registry.resolve("env-7", "hall-3"))
        .contains(new DeviceRegistration("env-7", "hall-3", "environment-sensor", true));

    assertThat(registry.find("rm-00042")).map(DeviceRegistration::site).contains("plant-1");
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void keeps_the_first_site_of_an_auto_provisioned_device() {
    registry.resolve("rm-1", "plant-1");

    assertThat(registry.resolve("rm-1", "plant-2")).map(DeviceRegistration::site).contains("plant-1");
    assertThat(registry.size()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pump-1", "xrm-1", "RM-1", "env"})
  void does_not_provision_a_device_matching_no_whole_pattern(String deviceId) {
    assertThat(registry.resolve(deviceId, "plant-1")).isEmpty();
    assertThat(registry.find(deviceId)).isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  void the_first_matching_rule_wins() {
    InMemoryDeviceRegistry overlapping = registry("""
        fleetpulse.gateway.registration.auto-provision = [
          { device-id-pattern = "rm-env-.*", profile = environment-sensor }
          { device-id-pattern = "rm-.*", profile = rotating-machine }
        ]
        """);

    assertThat(overlapping.resolve("rm-env-1", "s")).map(DeviceRegistration::profile).contains("environment-sensor");
    assertThat(overlapping.resolve("rm-2", "s")).map(DeviceRegistration::profile).contains("rotating-machine");
  }

  @Test
  void does_not_auto_provision_when_registration_is_required() {
    InMemoryDeviceRegistry strict = registry("fleetpulse.gateway.registration.required = true");

    assertThat(strict.resolve("rm-00042", "plant-1")).isEmpty();
    assertThat(strict.size()).isZero();

    strict.register("rm-00042", "plant-1", "rotating-machine");

    assertThat(strict.resolve("rm-00042", "plant-1"))
        .contains(new DeviceRegistration("rm-00042", "plant-1", "rotating-machine", false));
  }

  @Test
  void an_explicit_registration_replaces_an_auto_provisioned_one() {
    registry.resolve("rm-1", "plant-1");

    DeviceRegistration registered = registry.register("rm-1", "plant-2", "environment-sensor");

    assertThat(registered).isEqualTo(new DeviceRegistration("rm-1", "plant-2", "environment-sensor", false));
    assertThat(registry.resolve("rm-1", "plant-1")).contains(registered);
    assertThat(registry.size()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "rm 1", "rm/1", "-rm-1", "rm+1", "rm-\u00e4"})
  void register_rejects_an_invalid_device_id(String deviceId) {
    assertThatThrownBy(() -> registry.register(deviceId, "plant-1", "rotating-machine"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device id");
    assertThat(registry.size()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "plant/1", "plant#1", "_plant"})
  void register_rejects_an_invalid_site(String site) {
    assertThatThrownBy(() -> registry.register("rm-1", site, "rotating-machine"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("site");
    assertThat(registry.size()).isZero();
  }

  @Test
  void register_rejects_an_unknown_profile() {
    assertThatThrownBy(() -> registry.register("rm-1", "plant-1", "toaster"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown device profile 'toaster'");
    assertThat(registry.find("rm-1")).isEmpty();
  }

  @Test
  void refuses_an_auto_provision_rule_with_an_unknown_profile_at_start() {
    assertThatThrownBy(() -> registry(
        "fleetpulse.gateway.registration.auto-provision = [{ device-id-pattern = \".*\", profile = toaster }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("toaster");
  }

  @Test
  void lists_registrations_in_device_id_order_page_by_page() {
    for (String id : new String[] {"dev-c", "dev-a", "dev-e", "dev-b", "dev-d"}) {
      registry.register(id, "plant-1", "rotating-machine");
    }

    assertThat(registry.list(null, 2)).extracting(DeviceRegistration::deviceId).containsExactly("dev-a", "dev-b");
    assertThat(registry.list("dev-b", 2)).extracting(DeviceRegistration::deviceId).containsExactly("dev-c", "dev-d");
    assertThat(registry.list("dev-d", 2)).extracting(DeviceRegistration::deviceId).containsExactly("dev-e");
    assertThat(registry.list("dev-e", 2)).isEmpty();
    assertThat(registry.list("dev-bb", 10)).extracting(DeviceRegistration::deviceId)
        .containsExactly("dev-c", "dev-d", "dev-e");
    assertThat(registry.list(null, 0)).isEmpty();
    assertThat(registry.list(null, 100)).hasSize(5);
  }

  private static InMemoryDeviceRegistry registry(String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    return new InMemoryDeviceRegistry(GatewaySettings.fromConfig(config).registration(), PROFILES);
  }
}
