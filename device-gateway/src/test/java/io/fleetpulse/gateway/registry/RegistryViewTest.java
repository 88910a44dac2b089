package io.fleetpulse.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.gateway.GatewaySettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryViewTest {

  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.load());

  private final RegistryView registry = registry("");

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
    RegistryView overlapping = registry("""
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
    RegistryView strict = registry("fleetpulse.gateway.registration.required = true");

    assertThat(strict.resolve("rm-00042", "plant-1")).isEmpty();
    assertThat(strict.size()).isZero();

    strict.apply(operatorRegistered("rm-00042", "plant-1", "rotating-machine", 1));

    assertThat(strict.resolve("rm-00042", "plant-1"))
        .contains(new DeviceRegistration("rm-00042", "plant-1", "rotating-machine", false));
  }

  @Test
  void an_explicit_registration_replaces_an_auto_provisioned_one() {
    List<DeviceRegistration> recorded = new ArrayList<>();
    registry.onAutoProvision(recorded::add);
    registry.resolve("rm-1", "plant-1");
    registry.resolve("rm-1", "plant-1");
    assertThat(recorded).as("handed to the control plane once")
        .containsExactly(new DeviceRegistration("rm-1", "plant-1", "rotating-machine", true));

    registry.apply(operatorRegistered("rm-1", "plant-2", "environment-sensor", 2));

    assertThat(registry.resolve("rm-1", "plant-1"))
        .contains(new DeviceRegistration("rm-1", "plant-2", "environment-sensor", false));
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void keeps_the_newest_revision_whatever_order_entries_arrive_in() {
    registry.apply(operatorRegistered("pump-1", "plant-2", "rotating-machine", 3));
    registry.apply(operatorRegistered("pump-1", "plant-1", "rotating-machine", 2));

    assertThat(registry.find("pump-1")).map(DeviceRegistration::site).contains("plant-2");
  }

  @Test
  void refuses_a_decommissioned_device_and_never_provisions_it_again() {
    registry.resolve("rm-7", "plant-1");
    registry.apply(new RegistryEntry("rm-7", "plant-1", "rotating-machine", true, true, 2, 0));

    assertThat(registry.resolve("rm-7", "plant-1")).isEmpty();
    assertThat(registry.find("rm-7")).isEmpty();
    assertThat(registry.entry("rm-7")).map(RegistryEntry::decommissioned).contains(true);
    assertThat(registry.size()).isZero();
  }

  private static RegistryEntry operatorRegistered(String deviceId, String site, String profile, long revision) {
    return new RegistryEntry(deviceId, site, profile, false, false, revision, 0);
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
      registry.apply(operatorRegistered(id, "plant-1", "rotating-machine", 1));
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

  private static RegistryView registry(String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    return new RegistryView(GatewaySettings.fromConfig(config).registration(), PROFILES);
  }
}
