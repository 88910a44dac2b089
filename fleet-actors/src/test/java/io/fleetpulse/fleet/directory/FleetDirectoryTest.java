package io.fleetpulse.fleet.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.fleet.directory.FleetDirectory.DeviceStatusChanged;
import io.fleetpulse.fleet.directory.FleetDirectory.FleetOverview;
import io.fleetpulse.fleet.directory.FleetDirectory.SiteOverview;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FleetDirectoryTest {

  private static final ActorTestKit TEST_KIT =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  private ActorRef<FleetDirectory.Command> directory;
  private TestProbe<FleetOverview> overviews;

  @AfterAll
  static void shutDown() {
    TEST_KIT.shutdownTestKit();
  }

  @BeforeEach
  void spawnDirectory() {
    directory = TEST_KIT.spawn(FleetDirectory.create());
    overviews = TEST_KIT.createTestProbe(FleetOverview.class);
  }

  @Test
  void an_empty_fleet_has_no_devices_and_no_sites() {
    assertThat(overview()).isEqualTo(new FleetOverview(0, 0, java.util.List.of()));
  }

  @Test
  void counts_devices_coming_online_and_going_offline_in_total_and_per_site() {
    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));
    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", true));
    directory.tell(new DeviceStatusChanged("fan-1", "plant-b", true));

    FleetOverview allOnline = overview();
    assertThat(allOnline.devices()).isEqualTo(3);
    assertThat(allOnline.online()).isEqualTo(3);
    assertThat(allOnline.sites())
        .containsExactly(new SiteOverview("plant-a", 2, 2), new SiteOverview("plant-b", 1, 1));

    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", false));

    FleetOverview oneOffline = overview();
    assertThat(oneOffline.devices()).as("an offline device is still part of the fleet").isEqualTo(3);
    assertThat(oneOffline.online()).isEqualTo(2);
    assertThat(oneOffline.sites())
        .containsExactly(new SiteOverview("plant-a", 2, 1), new SiteOverview("plant-b", 1, 1));

    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", true));

    assertThat(overview().online()).isEqualTo(3);
    assertThat(overview().sites()).contains(new SiteOverview("plant-a", 2, 2));
  }

  @Test
  void a_device_that_moves_site_is_counted_only_at_its_new_site() {
    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));
    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", true));

    directory.tell(new DeviceStatusChanged("pump-1", "plant-c", true));

    FleetOverview overview = overview();
    assertThat(overview.devices()).isEqualTo(2);
    assertThat(overview.online()).isEqualTo(2);
    assertThat(overview.sites())
        .containsExactly(new SiteOverview("plant-a", 1, 1), new SiteOverview("plant-c", 1, 1));
  }

  @Test
  void a_site_whose_last_device_moves_away_disappears() {
    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));

    directory.tell(new DeviceStatusChanged("pump-1", "plant-b", false));

    assertThat(overview()).isEqualTo(new FleetOverview(1, 0, java.util.List.of(new SiteOverview("plant-b", 1, 0))));
  }

  @Test
  void lists_sites_sorted_by_name() {
    directory.tell(new DeviceStatusChanged("d1", "zurich", true));
    directory.tell(new DeviceStatusChanged("d2", "aarhus", false));
    directory.tell(new DeviceStatusChanged("d3", "munich", true));
    directory.tell(new DeviceStatusChanged("d4", "berlin", true));

    assertThat(overview().sites()).extracting(SiteOverview::site)
        .containsExactly("aarhus", "berlin", "munich", "zurich");
  }

  @Test
  void repeating_the_same_status_changes_nothing() {
    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));
    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", false));
    FleetOverview once = overview();

    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));
    directory.tell(new DeviceStatusChanged("pump-1", "plant-a", true));
    directory.tell(new DeviceStatusChanged("pump-2", "plant-a", false));

    assertThat(overview()).isEqualTo(once).isEqualTo(
        new FleetOverview(2, 1, java.util.List.of(new SiteOverview("plant-a", 2, 1))));
  }

  private FleetOverview overview() {
    directory.tell(new FleetDirectory.GetOverview(overviews.ref()));
    return overviews.receiveMessage();
  }
}
