package io.fleetpulse.gateway.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TelemetryTopicTest {

  @Test
  void parses_site_and_device_from_a_telemetry_topic() {
    assertThat(TelemetryTopic.parse("fleet/plant-1/rm-00042/telemetry"))
        .contains(new TelemetryTopic("plant-1", "rm-00042"));
    assertThat(TelemetryTopic.parse("fleet/Site_2.b/dev.1_A/telemetry"))
        .contains(new TelemetryTopic("Site_2.b", "dev.1_A"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "fleets/plant-1/rm-1/telemetry",
      "Fleet/plant-1/rm-1/telemetry",
      "/fleet/plant-1/rm-1/telemetry",
      "devices/plant-1/rm-1/telemetry"
  })
  void rejects_a_topic_with_the_wrong_prefix(String topic) {
    assertThat(TelemetryTopic.parse(topic)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "fleet/plant-1/rm-1/telemetr",
      "fleet/plant-1/rm-1/Telemetry",
      "fleet/plant-1/rm-1/dead-letter",
      "fleet/plant-1/rm-1/telemetry/"
  })
  void rejects_a_topic_with_the_wrong_suffix(String topic) {
    assertThat(TelemetryTopic.parse(topic)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "fleet/rm-1/telemetry",
      "fleet/telemetry",
      "fleet/plant-1/line-2/rm-1/telemetry",
      "",
      "fleet"
  })
  void rejects_a_topic_with_the_wrong_number_of_levels(String topic) {
    assertThat(TelemetryTopic.parse(topic)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "fleet//rm-1/telemetry",
      "fleet/plant-1//telemetry",
      "fleet/plant 1/rm-1/telemetry",
      "fleet/plant-1/rm+1/telemetry",
      "fleet/+/rm-1/telemetry",
      "fleet/plant-1/#/telemetry",
      "fleet/plant-1/rm:1/telemetry",
      "fleet/plant-1/-rm-1/telemetry",
      "fleet/plant-1/.rm-1/telemetry",
      "fleet/plant-1/rm-\u00fc/telemetry",
      "fleet/plant-1/rm-1'/telemetry"
  })
  void rejects_a_topic_with_characters_unsafe_in_ids(String topic) {
    assertThat(TelemetryTopic.parse(topic)).isEmpty();
  }

  @Test
  void limits_ids_to_64_characters() {
    String longest = "a".repeat(64);

    assertThat(TelemetryTopic.isValidId(longest)).isTrue();
    assertThat(TelemetryTopic.isValidId(longest + "a")).isFalse();
    assertThat(TelemetryTopic.parse("fleet/plant-1/" + longest + "/telemetry")).isPresent();
    assertThat(TelemetryTopic.parse("fleet/plant-1/" + longest + "a/telemetry")).isEmpty();
    assertThat(TelemetryTopic.isValidId("")).isFalse();
  }

  @Test
  void addresses_the_dead_letter_topic_of_the_same_device() {
    TelemetryTopic topic = TelemetryTopic.parse("fleet/plant-1/rm-7/telemetry").orElseThrow();

    assertThat(topic.deadLetterTopic()).isEqualTo("fleet/plant-1/rm-7/dead-letter");
  }
}
