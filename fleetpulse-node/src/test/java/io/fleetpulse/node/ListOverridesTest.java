package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ListOverridesTest {

  @Test
  void comma_separated_entry_replaces_the_list_at_its_path() {
    Config config = ConfigFactory.parseString("""
        pekko.cluster.roles = [gateway, device, inference]
        fleetpulse.node.list-overrides { "pekko.cluster.roles" = " gateway , device" }
        """).resolve();

    assertThat(ListOverrides.apply(config).getStringList("pekko.cluster.roles")).containsExactly("gateway", "device");
  }

  @Test
  void blank_or_absent_entries_change_nothing() {
    Config config = ConfigFactory.parseString("""
        pekko.cluster.roles = [gateway, device, inference]
        fleetpulse.node.list-overrides { "pekko.cluster.roles" = "" }
        """).resolve();

    assertThat(ListOverrides.apply(config).getStringList("pekko.cluster.roles"))
        .containsExactly("gateway", "device", "inference");
  }

  @Test
  void node_configuration_without_environment_keeps_its_roles_and_contact_points() {
    Config config = ListOverrides.apply(ConfigFactory.load());

    assertThat(config.getStringList("pekko.cluster.roles")).containsExactly("gateway", "device", "inference");
    assertThat(config.getStringList("fleetpulse.persistence.cassandra.contact-points")).containsExactly("127.0.0.1:9042");
  }
}
