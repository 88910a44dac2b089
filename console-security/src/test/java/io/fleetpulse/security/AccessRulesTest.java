package io.fleetpulse.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.control.access.Permission;
import org.junit.jupiter.api.Test;

class AccessRulesTest {

  private final AccessRules rules = AccessRules.node();

  @Test
  void finds_a_route_s_rule_and_its_parameters() {
    AccessRules.Match match = rules.match("POST", "/api/devices/pump-7/alerts/5d3c/acknowledge");
    assertThat(match).isInstanceOf(AccessRules.Found.class);
    AccessRules.Found found = (AccessRules.Found) match;
    assertThat(found.rule().permission()).isEqualTo(Permission.OPERATE);
    assertThat(found.rule().scope()).isEqualTo(AccessRules.Scope.DEVICE);
    assertThat(found.parameter("deviceId")).contains("pump-7");
    assertThat(found.parameter("alertId")).contains("5d3c");
  }

  @Test
  void a_path_of_no_rule_is_no_route_and_a_known_path_with_another_method_is_a_wrong_method() {
    assertThat(rules.match("GET", "/api/secrets")).isInstanceOf(AccessRules.NoRoute.class);
    assertThat(rules.match("GET", "/api/devices/a/b/c/d/e")).isInstanceOf(AccessRules.NoRoute.class);
    assertThat(rules.match("PATCH", "/api/devices/pump-7")).isEqualTo(
        new AccessRules.WrongMethod(java.util.Set.of("GET", "PUT")));
  }

  @Test
  void a_segment_is_decoded_as_the_routes_decode_it() {
    AccessRules.Found encoded = (AccessRules.Found) rules.match("GET", "/api/devices/pump%2D7");
    assertThat(encoded.parameter("deviceId")).contains("pump-7");
    AccessRules.Found slash = (AccessRules.Found) rules.match("GET", "/api/devices/a%2Fb/history");
    assertThat(slash.rule().action()).isEqualTo("device.history");
    assertThat(slash.parameter("deviceId")).contains("a/b");
    assertThat(((AccessRules.Found) rules.match("GET", "/api/sites/b%C3%BCro/alerts")).parameter("site")).contains("büro");
    assertThat(((AccessRules.Found) rules.match("GET", "/api/devices/50%")).parameter("deviceId")).contains("50%");
  }

  @Test
  void an_empty_segment_is_no_parameter() {
    assertThat(rules.match("GET", "/api/devices//history")).isInstanceOf(AccessRules.NoRoute.class);
  }

  @Test
  void the_literal_bulk_route_wins_over_a_device_named_bulk_for_its_method() {
    AccessRules.Found bulk = (AccessRules.Found) rules.match("POST", "/api/devices/bulk");
    assertThat(bulk.rule().action()).isEqualTo("device.bulk");
    AccessRules.Found device = (AccessRules.Found) rules.match("GET", "/api/devices/bulk");
    assertThat(device.rule().action()).isEqualTo("device.get");
  }

  @Test
  void every_state_changing_route_needs_more_than_view() {
    for (AccessRules.Rule rule : rules.rules()) {
      if (!rule.method().equals("GET") && rule.access() == AccessRules.Access.PERMITTED) {
        assertThat(rule.permission()).as("%s %s", rule.method(), rule.template()).isNotEqualTo(Permission.VIEW);
      }
    }
  }
}
