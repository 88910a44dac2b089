package io.fleetpulse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

  private static GatewaySettings withOverrides(String overrides) {
    return GatewaySettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  @Test
  void reads_the_documented_defaults_from_an_empty_application_config() {
    GatewaySettings settings = GatewaySettings.fromConfig(ConfigFactory.load());

    GatewaySettings.Mqtt mqtt = settings.mqtt();
    assertThat(mqtt.subscription()).isEqualTo("$share/fleetpulse/fleet/+/+/telemetry");
    assertThat(mqtt.receiveMaximum()).isEqualTo(500);
    assertThat(mqtt.connections()).isEqualTo(2);
    assertThat(mqtt.sharing()).isEqualTo(GatewaySettings.Sharing.AUTO);
    assertThat(mqtt.clientIdPrefix()).isEqualTo("fleetpulse-gateway");
    assertThat(mqtt.sessionExpiry()).isEqualTo(Duration.ofHours(1));
    assertThat(mqtt.keepAlive()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mqtt.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(mqtt.reconnectMinDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(mqtt.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mqtt.drainTimeout()).isEqualTo(Duration.ofSeconds(5));

    GatewaySettings.Broker broker = settings.broker();
    assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:1883");
    assertThat(broker.username()).isEqualTo("fleetpulse-gateway");
    assertThat(broker.password()).as("generated at first start").isEmpty();
    assertThat(broker.embeddedBroker()).isEqualTo(new GatewaySettings.EmbeddedBroker(
        "127.0.0.1", Path.of("var/hivemq"), 1000, 1_000_000L, 1_048_576, "file", Duration.ofSeconds(60), 8883,
        java.util.List.of("127.0.0.1", "localhost")));

    assertThat(settings.ingest()).isEqualTo(
        new GatewaySettings.Ingest(Duration.ofMillis(200), Duration.ofSeconds(5)));
    assertThat(settings.validation()).isEqualTo(
        new GatewaySettings.Validation(65_536, 512, Duration.ofMinutes(5), Duration.ofHours(24)));
    assertThat(settings.deadLetter()).isEqualTo(
        new GatewaySettings.DeadLetter(1, "fleet/_unroutable/dead-letter", 4096, 10));
    if (System.getenv("FLEETPULSE_RATE_LIMIT_ENABLED") == null) {
      assertThat(settings.rateLimiting().enabled()).isTrue();
    }
    assertThat(settings.rateLimiting().defaultLimit())
        .isEqualTo(new io.fleetpulse.api.profile.RateLimit(100, 2000));
    assertThat(settings.rateLimiting().sweepInterval()).isEqualTo(Duration.ofMinutes(1));

    assertThat(settings.registration().autoProvision())
        .extracting(rule -> rule.deviceIdPattern().pattern(), GatewaySettings.AutoProvisionRule::profile)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rm-.*", "rotating-machine"),
            org.assertj.core.groups.Tuple.tuple("env-.*", "environment-sensor"),
            org.assertj.core.groups.Tuple.tuple("tf-.*", "turbofan"),
            org.assertj.core.groups.Tuple.tuple("sig-.*", "univariate-signal"));
  }

  @Test
  void registration_and_embedded_broker_defaults_hold_unless_the_environment_overrides_them() {
    GatewaySettings settings = GatewaySettings.fromConfig(ConfigFactory.load());

    if (System.getenv("FLEETPULSE_REGISTRATION_REQUIRED") == null) {
      assertThat(settings.registration().required()).isFalse();
    }
    if (System.getenv("FLEETPULSE_BROKER_EMBEDDED") == null) {
      assertThat(settings.broker().embedded()).isTrue();
    }
  }

  @Test
  void rejects_a_rate_limit_default_or_sweep_that_cannot_work() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.rate-limit.default.burst = 0"))
        .hasMessageContaining("burst must be at least 1");
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.rate-limit.default.messages-per-second = 0"))
        .hasMessageContaining("messages-per-second must be positive");
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.rate-limit.sweep-interval = 0s"))
        .hasMessageContaining("sweep-interval must be positive");
  }

  @Test
  void auto_provision_rules_match_whole_device_ids() {
    GatewaySettings.AutoProvisionRule rule = GatewaySettings.fromConfig(ConfigFactory.load())
        .registration().autoProvision().get(0);

    assertThat(rule.matches("rm-00042")).isTrue();
    assertThat(rule.matches("xrm-00042")).isFalse();
  }

  @Test
  void backoff_doubles_from_the_minimum_and_caps_at_the_maximum() {
    GatewaySettings.Ingest ingest = GatewaySettings.fromConfig(ConfigFactory.load()).ingest();

    assertThat(ingest.backoff(0)).isEqualTo(Duration.ofMillis(200));
    assertThat(ingest.backoff(1)).isEqualTo(Duration.ofMillis(400));
    assertThat(ingest.backoff(2)).isEqualTo(Duration.ofMillis(800));
    assertThat(ingest.backoff(3)).isEqualTo(Duration.ofMillis(1600));
    assertThat(ingest.backoff(4)).isEqualTo(Duration.ofMillis(3200));
    assertThat(ingest.backoff(5)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ingest.backoff(6)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void backoff_does_not_overflow_for_large_attempt_numbers() {
    GatewaySettings.Ingest ingest = new GatewaySettings.Ingest(
        Duration.ofSeconds(30), Duration.ofMinutes(10));

    assertThat(ingest.backoff(63)).isEqualTo(Duration.ofMinutes(10));
    assertThat(ingest.backoff(64)).isEqualTo(Duration.ofMinutes(10));
    assertThat(ingest.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void reads_overrides_on_top_of_the_defaults() {
    GatewaySettings settings = withOverrides("""
        fleetpulse.gateway.mqtt.connections = 4
        fleetpulse.gateway.validation.max-payload-bytes = 1024
        fleetpulse.gateway.registration.required = true
        """);

    assertThat(settings.mqtt().connections()).isEqualTo(4);
    assertThat(settings.validation().maxPayloadBytes()).isEqualTo(1024);
    assertThat(settings.registration().required()).isTrue();
    assertThat(settings.mqtt().receiveMaximum()).isEqualTo(500);
  }

  @Test
  void auto_sharing_subscribes_once_outside_the_share_group_with_the_embedded_broker_only() {
    GatewaySettings.Mqtt auto = withOverrides("").mqtt();
    assertThat(auto.exclusive(true)).isTrue();
    assertThat(auto.topicFilter(true)).isEqualTo("fleet/+/+/telemetry");
    assertThat(auto.subscriberConnections(true)).isEqualTo(1);
    assertThat(auto.exclusive(false)).isFalse();
    assertThat(auto.topicFilter(false)).isEqualTo("$share/fleetpulse/fleet/+/+/telemetry");
    assertThat(auto.subscriberConnections(false)).isEqualTo(2);

    GatewaySettings.Mqtt shared = withOverrides("fleetpulse.gateway.mqtt.sharing = shared").mqtt();
    assertThat(shared.topicFilter(true)).isEqualTo("$share/fleetpulse/fleet/+/+/telemetry");
    assertThat(shared.subscriberConnections(true)).isEqualTo(2);

    GatewaySettings.Mqtt exclusive = withOverrides("fleetpulse.gateway.mqtt.sharing = exclusive\n"
        + "fleetpulse.gateway.mqtt.subscription = \"$share/plant-7/fleet/plant-7/+/telemetry\"").mqtt();
    assertThat(exclusive.topicFilter(false)).isEqualTo("fleet/plant-7/+/telemetry");
    assertThat(exclusive.subscriberConnections(false)).isEqualTo(1);

    GatewaySettings.Mqtt plain = withOverrides("fleetpulse.gateway.mqtt.subscription = \"fleet/#\"").mqtt();
    assertThat(plain.topicFilter(true)).isEqualTo("fleet/#");
    assertThat(plain.shareGroupToLeave(true)).as("no share group to leave: the filter is the subscription").isEmpty();
    assertThat(auto.shareGroupToLeave(true)).contains("$share/fleetpulse/fleet/+/+/telemetry");
    assertThat(auto.shareGroupToLeave(false)).as("shared").isEmpty();

    assertThat(auto.clientId("node-1", 0)).isEqualTo("fleetpulse-gateway-node-1-0");
    assertThat(auto.unusedClientIds("node-1", true)).as("exclusive: the second connection's session is ended")
        .containsExactly("fleetpulse-gateway-node-1-1");
    assertThat(auto.unusedClientIds("node-1", false)).isEmpty();
    assertThat(withOverrides("fleetpulse.gateway.mqtt.connections = 3").mqtt().unusedClientIds("n", true))
        .containsExactly("fleetpulse-gateway-n-1", "fleetpulse-gateway-n-2");
  }

  @Test
  void rejects_an_unknown_sharing_and_a_share_group_without_a_filter() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.mqtt.sharing = sometimes"))
        .hasMessageContaining("fleetpulse.gateway.mqtt.sharing must be 'auto', 'shared' or 'exclusive', not 'sometimes'");
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.mqtt.subscription = \"$share/fleetpulse\""))
        .hasMessageContaining("names no share group and filter");
  }

  @Test
  void rejects_zero_connections() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.mqtt.connections = 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fleetpulse.gateway.mqtt.connections");
  }

  @Test
  void rejects_a_receive_maximum_outside_the_mqtt_range() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.mqtt.receive-maximum = 0"))
        .hasMessageContaining("receive-maximum");
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.mqtt.receive-maximum = 65536"))
        .hasMessageContaining("receive-maximum");
    assertThat(withOverrides("fleetpulse.gateway.mqtt.receive-maximum = 65535").mqtt().receiveMaximum())
        .isEqualTo(65535);
  }

  @Test
  void rejects_a_dead_letter_qos_other_than_0_1_or_2() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.dead-letter.qos = 3"))
        .hasMessageContaining("dead-letter.qos");
    assertThatThrownBy(() -> withOverrides("fleetpulse.gateway.dead-letter.qos = -1"))
        .hasMessageContaining("dead-letter.qos");
  }

  @Test
  void the_embedded_brokers_gateway_secret_is_generated_once_readable_by_the_owner_only_and_kept(
      @org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
    GatewaySettings settings = GatewaySettings.fromConfig(ConfigFactory.parseString(
        "fleetpulse.gateway.broker.embedded-broker.data-directory = \"" + directory.toString().replace("\\", "/") + "\"")
        .withFallback(ConfigFactory.load()));

    String first = settings.withServiceSecret().broker().password();
    String again = settings.withServiceSecret().broker().password();

    assertThat(first).hasSize(43).isEqualTo(again);
    assertThat(java.nio.file.Files.getPosixFilePermissions(directory.resolve(GatewaySettings.Broker.SERVICE_SECRET_FILE)))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    GatewaySettings configured = GatewaySettings.fromConfig(ConfigFactory.parseString(
        "fleetpulse.gateway.broker.password = given").withFallback(ConfigFactory.load()));
    assertThat(configured.withServiceSecret().broker().password()).isEqualTo("given");
  }

  @Test
  void with_the_embedded_broker_the_gateways_client_ids_must_lie_under_its_username() {
    assertThatThrownBy(() -> GatewaySettings.fromConfig(ConfigFactory.parseString(
        "fleetpulse.gateway.mqtt.client-id-prefix = ingest").withFallback(ConfigFactory.load())))
        .hasMessageContaining("client-id-prefix must start with it");
  }
}
