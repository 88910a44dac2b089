package io.fleetpulse.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.simulator.signal.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetTest {

  @Test
  void mixes_profiles_exactly_with_zero_padded_ids() {
    List<SimulatedDevice> fleet = Fleet.layout(300, 6, 3, 0.6, 0.1, 42);

    assertThat(fleet).hasSize(300);
    assertThat(fleet.stream().filter(d -> d.profile() == Profile.ROTATING_MACHINE)).hasSize(180);
    assertThat(fleet).extracting(SimulatedDevice::deviceId).contains("rm-00001", "rm-00180", "env-00001", "env-00120")
        .doesNotHaveDuplicates().allMatch(id -> id.matches("(rm|env)-\\d{5}"));
    assertThat(fleet.stream().filter(SimulatedDevice::faulty)).hasSize(30);
  }

  @Test
  void assigns_sites_round_robin_and_each_connection_to_one_site() {
    List<SimulatedDevice> fleet = Fleet.layout(10, 4, 3, 0.5, 0, 1);

    assertThat(fleet).extracting(SimulatedDevice::site)
        .containsExactly("plant-1", "plant-2", "plant-3", "plant-1", "plant-2", "plant-3", "plant-1", "plant-2",
            "plant-3", "plant-1");
    // Connection k is the edge gateway of site k % 3: plant-1 has connections 0 and 3, round-robin.
    assertThat(fleet).extracting(SimulatedDevice::connection).containsExactly(0, 1, 2, 3, 1, 2, 0, 1, 2, 3);
    assertThat(fleet).allSatisfy(device -> assertThat(Fleet.siteName(Fleet.siteOfConnection(device.connection(), 3)))
        .isEqualTo(device.site()));
    assertThat(Fleet.connections(10, 2, 3)).as("at least one connection per site").isEqualTo(3);
    assertThat(Fleet.connections(2, 1, 3)).as("but not for sites without devices").isEqualTo(2);
    assertThat(fleet.get(4).telemetryTopic()).isEqualTo("fleet/plant-2/" + fleet.get(4).deviceId() + "/telemetry");
  }

  @Test
  void interleaves_the_profiles_rather_than_grouping_them() {
    List<SimulatedDevice> fleet = Fleet.layout(10, 1, 1, 0.6, 0, 1);

    assertThat(fleet.subList(0, 5).stream().filter(d -> d.profile() == Profile.ROTATING_MACHINE)).hasSize(3);
  }

  @Test
  void chooses_the_same_faulty_devices_for_the_same_seed() {
    assertThat(Fleet.layout(100, 2, 3, 0.6, 0.2, 5)).isEqualTo(Fleet.layout(100, 2, 3, 0.6, 0.2, 5));
    assertThat(Fleet.layout(100, 2, 3, 0.6, 0.2, 5)).isNotEqualTo(Fleet.layout(100, 2, 3, 0.6, 0.2, 6));
  }
}
