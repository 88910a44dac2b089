package io.fleetpulse.node.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.security.AccessRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every documented route has a rule and every rule a documented route: a route added to the API
 * without a rule (it would answer 404 behind the gate) or a rule for a route nobody documented
 * fails here. ConsoleAccessIT then tries each route against a node.
 */
class AccessRulesMatchOpenApiTest {

  @Test
  void every_documented_route_has_exactly_its_rule_and_every_rule_is_documented() {
    List<OpenApiRoutes.Route> documented = OpenApiRoutes.read().routes();
    List<AccessRules.Rule> rules = AccessRules.node().rules();

    assertThat(documented).hasSizeGreaterThan(30);
    for (OpenApiRoutes.Route route : documented) {
      assertThat(rules).as("a rule for %s %s in AccessRules.node()", route.method(), route.template())
          .anySatisfy(rule -> {
            assertThat(rule.method()).isEqualTo(route.method());
            assertThat(rule.template()).isEqualTo(route.template());
          });
    }
    for (AccessRules.Rule rule : rules) {
      assertThat(documented).as("%s %s documented in docs/openapi.yaml", rule.method(), rule.template())
          .contains(new OpenApiRoutes.Route(rule.method(), rule.template()));
    }
  }
}
