package io.fleetpulse.gateway.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.registry.RegistryView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TelemetryValidatorTest {

  private static final long RECEIVED = Instant.parse("2025-03-01T12:00:00Z").toEpochMilli();
  private static final String TOPIC = "fleet/plant-1/rm-00042/telemetry";
  private static final DeviceIdentity RM_42 = new DeviceIdentity("rm-00042", "plant-1", "rotating-machine");

  private final Config config = ConfigFactory.load();
  private final GatewaySettings settings = GatewaySettings.fromConfig(config);
  private final DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
  private final RegistryView registry = new RegistryView(settings.registration(), profiles);
  private final TelemetryValidator validator = new TelemetryValidator(settings.validation(), registry, profiles);

  // --- accepted ----------------------------------------------------------------------------

  @Test
  void turns_a_valid_compact_message_into_telemetry_with_samples_in_payload_order() {
    long ts = RECEIVED - 1_000;
    Telemetry telemetry = valid(TOPIC, compact(7, ts, "\"speed\":1450,\"vibration\":2.5,\"bearing-temperature\":61"));

    assertThat(telemetry.device()).isEqualTo(RM_42);
    assertThat(telemetry.sequence()).isEqualTo(7);
    assertThat(telemetry.timestampMillis()).isEqualTo(ts);
    assertThat(telemetry.receivedAtMillis()).isEqualTo(RECEIVED);
    assertThat(telemetry.samples()).containsExactly(
        new Sample("speed", ts, 1450),
        new Sample("vibration", ts, 2.5),
        new Sample("bearing-temperature", ts, 61));
  }

  @Test
  void turns_a_valid_senml_pack_into_telemetry() {
    double baseSeconds = RECEIVED / 1000.0 - 2;
    Telemetry telemetry = valid(TOPIC, """
        [{"bn":"rm-00042:","bt":%s,"seq":11,"n":"vibration","u":"mm/s","v":3},
         {"n":"bearing-temperature","u":"Cel","t":1,"v":70}]
        """.formatted(baseSeconds));

    assertThat(telemetry.device()).isEqualTo(RM_42);
    assertThat(telemetry.sequence()).isEqualTo(11);
    assertThat(telemetry.samples()).containsExactly(
        new Sample("vibration", RECEIVED - 2_000, 3),
        new Sample("bearing-temperature", RECEIVED - 1_000, 70));
  }

  @Test
  void an_unknown_device_is_provisioned_by_its_first_valid_message_and_never_by_a_rejected_one() {
    assertThat(validator.validate(TOPIC, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), RECEIVED))
        .isInstanceOf(ValidationResult.Invalid.class);
    assertThat(validator.validate(TOPIC, ("{\"ts\":" + RECEIVED + ",\"values\":{\"vibration\":-5}}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), RECEIVED)).isInstanceOf(ValidationResult.Invalid.class);
    assertThat(registry.find("rm-00042")).as("rejected messages provision nothing").isEmpty();

    valid(TOPIC, "{\"ts\":" + RECEIVED + ",\"values\":{\"vibration\":1}}");

    assertThat(registry.find("rm-00042")).hasValueSatisfying(registration -> {
      assertThat(registration.site()).isEqualTo("plant-1");
      assertThat(registration.autoProvisioned()).isTrue();
    });
  }

  @Test
  void uses_the_timestamp_as_sequence_when_the_message_has_no_seq() {
    long ts = RECEIVED - 42;
    Telemetry compact = valid(TOPIC, "{\"ts\":" + ts + ",\"values\":{\"vibration\":1}}");
    Telemetry senml = valid(TOPIC, "[{\"bt\":" + (RECEIVED / 1000 - 3) + ",\"n\":\"vibration\",\"v\":1}]");

    assertThat(compact.sequence()).isEqualTo(ts);
    assertThat(senml.sequence()).isEqualTo(RECEIVED - 3_000);
  }

  @Test
  void auto_provisions_a_matching_device_at_the_site_of_its_topic() {
    Telemetry telemetry = valid("fleet/hall-9/env-3/telemetry", "{\"seq\":1,\"values\":{\"co2\":600}}");

    assertThat(telemetry.device()).isEqualTo(new DeviceIdentity("env-3", "hall-9", "environment-sensor"));
    assertThat(registry.find("env-3")).isPresent();
  }

  @Test
  void accepts_a_payload_of_exactly_the_maximum_size() {
    int max = settings.validation().maxPayloadBytes();

    assertThat(validator.validate(TOPIC, padded(compact(1, RECEIVED, "\"vibration\":1"), max), RECEIVED))
        .isInstanceOf(ValidationResult.Valid.class);
  }

  @Test
  void accepts_values_on_the_bounds_of_the_profile_range() {
    Telemetry telemetry = valid(TOPIC, compact(1, RECEIVED, "\"vibration\":0,\"bearing-temperature\":200"));

    assertThat(telemetry.samples()).extracting(Sample::value).containsExactly(0.0, 200.0);
  }

  // --- rejected ----------------------------------------------------------------------------

  @Test
  void rejects_a_payload_over_the_maximum_size() {
    int max = settings.validation().maxPayloadBytes();
    assertThat(max).isEqualTo(65_536);

    ValidationResult.Invalid invalid =
        invalid(TOPIC, padded(compact(1, RECEIVED, "\"vibration\":1"), max + 1), RejectReason.PAYLOAD_TOO_LARGE);

    assertThat(invalid.device()).contains(RM_42);
    assertThat(invalid.topic()).contains(new TelemetryTopic("plant-1", "rm-00042"));
  }

  @Test
  void rejects_an_invalid_topic_without_topic_or_device() {
    ValidationResult.Invalid invalid = invalid(
        "fleet/plant-1/rm-00042/status", bytes(compact(1, RECEIVED, "\"vibration\":1")), RejectReason.TOPIC_INVALID);

    assertThat(invalid.topic()).isEmpty();
    assertThat(invalid.device()).isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  void rejects_an_unregistered_device_when_registration_is_required() {
    TelemetryValidator strict = strictValidator();

    ValidationResult.Invalid invalid =
        invalid(strict, TOPIC, bytes(compact(1, RECEIVED, "\"vibration\":1")), RejectReason.DEVICE_UNKNOWN);

    assertThat(invalid.device()).isEmpty();
    assertThat(invalid.topic()).contains(new TelemetryTopic("plant-1", "rm-00042"));
  }

  @Test
  void rejects_a_device_matching_no_auto_provision_pattern_as_unknown() {
    ValidationResult.Invalid invalid = invalid(
        "fleet/plant-1/pump-1/telemetry", bytes(compact(1, RECEIVED, "\"vibration\":1")), RejectReason.DEVICE_UNKNOWN);

    assertThat(invalid.device()).isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  void rejects_a_payload_that_names_another_device() {
    ValidationResult.Invalid compact = invalid(TOPIC,
        bytes("{\"deviceId\":\"rm-00043\",\"seq\":1,\"values\":{\"vibration\":1}}"), RejectReason.DEVICE_MISMATCH);
    ValidationResult.Invalid senml = invalid(TOPIC,
        bytes("[{\"bn\":\"urn:dev:rm-00043:\",\"seq\":1,\"n\":\"vibration\",\"v\":1}]"), RejectReason.DEVICE_MISMATCH);

    assertThat(compact.device()).contains(RM_42);
    assertThat(compact.detail()).contains("rm-00043");
    assertThat(senml.device()).contains(RM_42);
  }

  @Test
  void accepts_a_payload_that_names_its_own_device() {
    assertThat(valid(TOPIC, "{\"deviceId\":\"rm-00042\",\"seq\":1,\"values\":{\"vibration\":1}}").device())
        .isEqualTo(RM_42);
  }

  @Test
  void rejects_a_device_publishing_under_another_site_than_its_registration() {
    registry.apply(new RegistryEntry("rm-00042", "plant-1", "rotating-machine", false, false, 1, 0));

    ValidationResult.Invalid invalid = invalid("fleet/plant-2/rm-00042/telemetry",
        bytes(compact(1, RECEIVED, "\"vibration\":1")), RejectReason.DEVICE_MISMATCH);

    assertThat(invalid.device()).contains(RM_42);
    assertThat(invalid.detail()).contains("plant-1").contains("plant-2");
  }

  @Test
  void an_auto_provisioned_device_stays_at_the_site_of_its_first_topic() {
    valid("fleet/plant-1/rm-00042/telemetry", compact(1, RECEIVED, "\"vibration\":1"));

    invalid("fleet/plant-2/rm-00042/telemetry", bytes(compact(2, RECEIVED, "\"vibration\":1")),
        RejectReason.DEVICE_MISMATCH);
  }

  @Test
  void rejects_a_metric_outside_the_profile() {
    ValidationResult.Invalid invalid = invalid(TOPIC,
        bytes(compact(1, RECEIVED, "\"vibration\":1,\"humidity\":40")), RejectReason.METRIC_UNKNOWN);

    assertThat(invalid.device()).contains(RM_42);
    assertThat(invalid.detail()).contains("humidity");
  }

  @Test
  void rejects_a_unit_other_than_the_profile_declares() {
    String pack = "[{\"bt\":%d,\"seq\":1,\"n\":\"bearing-temperature\",\"u\":\"degF\",\"v\":150}]"
        .formatted(RECEIVED / 1000);

    ValidationResult.Invalid invalid = invalid(TOPIC, bytes(pack), RejectReason.UNIT_MISMATCH);

    assertThat(invalid.device()).contains(RM_42);
    assertThat(invalid.detail()).contains("Cel").contains("degF");
  }

  @Test
  void rejects_a_base_unit_other_than_the_profile_declares() {
    String pack = "[{\"bu\":\"in/s\",\"seq\":1,\"n\":\"vibration\",\"v\":1}]";

    invalid(TOPIC, bytes(pack), RejectReason.UNIT_MISMATCH);
  }

  @Test
  void rejects_values_below_the_minimum_and_above_the_maximum() {
    ValidationResult.Invalid below = invalid(TOPIC,
        bytes(compact(1, RECEIVED, "\"bearing-temperature\":-40.5")), RejectReason.VALUE_OUT_OF_RANGE);
    ValidationResult.Invalid above = invalid(TOPIC,
        bytes(compact(2, RECEIVED, "\"vibration\":2,\"speed\":20000.01")), RejectReason.VALUE_OUT_OF_RANGE);

    assertThat(below.device()).contains(RM_42);
    assertThat(below.detail()).contains("bearing-temperature");
    assertThat(above.detail()).contains("speed");
  }

  @Test
  void rejects_a_timestamp_ten_years_in_the_past() {
    long tenYearsAgo = RECEIVED - Duration.ofDays(3653).toMillis();

    ValidationResult.Invalid invalid = invalid(TOPIC,
        bytes(compact(1, tenYearsAgo, "\"vibration\":1")), RejectReason.TIMESTAMP_SKEW);

    assertThat(invalid.device()).contains(RM_42);
  }

  @Test
  void rejects_a_timestamp_ten_minutes_in_the_future() {
    long tenMinutesAhead = RECEIVED + Duration.ofMinutes(10).toMillis();

    invalid(TOPIC, bytes(compact(1, tenMinutesAhead, "\"vibration\":1")), RejectReason.TIMESTAMP_SKEW);
  }

  @Test
  void accepts_timestamps_exactly_at_the_edges_of_the_skew_window() {
    long oldest = RECEIVED - settings.validation().maxPastSkew().toMillis();
    long newest = RECEIVED + settings.validation().maxFutureSkew().toMillis();

    assertThat(valid(TOPIC, compact(1, oldest, "\"vibration\":1")).timestampMillis()).isEqualTo(oldest);
    assertThat(valid(TOPIC, compact(2, newest, "\"vibration\":1")).timestampMillis()).isEqualTo(newest);
    invalid(TOPIC, bytes(compact(3, oldest - 1, "\"vibration\":1")), RejectReason.TIMESTAMP_SKEW);
    invalid(TOPIC, bytes(compact(4, newest + 1, "\"vibration\":1")), RejectReason.TIMESTAMP_SKEW);
  }

  @Test
  void rejects_compact_timestamps_at_the_ends_of_64_bits_as_skew() {
    // Long.MIN_VALUE + RECEIVED is exactly Long.MIN_VALUE before now, whose negation is itself.
    for (long ts : new long[] {Long.MIN_VALUE + RECEIVED, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE}) {
      invalid(TOPIC, bytes(compact(1, ts, "\"vibration\":1")), RejectReason.TIMESTAMP_SKEW);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"ts\":1e300,\"seq\":1,\"values\":{\"vibration\":1}}",
      "{\"ts\":-1e300,\"seq\":1,\"values\":{\"vibration\":1}}",
      "[{\"t\":1e300,\"seq\":1,\"n\":\"vibration\",\"v\":1}]",
      "[{\"t\":-1e300,\"seq\":1,\"n\":\"vibration\",\"v\":1}]",
      "[{\"bt\":-1e300,\"seq\":1,\"n\":\"vibration\",\"v\":1}]",
      "[{\"bt\":1.7e308,\"t\":1.7e308,\"seq\":1,\"n\":\"vibration\",\"v\":1}]",
      "[{\"t\":-9223372036854775.808,\"seq\":1,\"n\":\"vibration\",\"v\":1}]",
      "[{\"seq\":1,\"n\":\"vibration\",\"v\":1},{\"n\":\"speed\",\"t\":-1e300,\"v\":1}]"})
  void rejects_times_of_1e300_and_other_extremes_as_skew(String payload) {
    invalid(TOPIC, bytes(payload), RejectReason.TIMESTAMP_SKEW);
  }

  @Test
  void rejects_a_whole_message_when_one_of_its_readings_is_bad() {
    String pack = "[{\"bt\":%d,\"seq\":1,\"n\":\"vibration\",\"v\":1},{\"n\":\"speed\",\"t\":3600,\"v\":1}]"
        .formatted(RECEIVED / 1000);

    invalid(TOPIC, bytes(pack), RejectReason.TIMESTAMP_SKEW);
  }

  @Test
  void decoding_failures_of_a_known_device_carry_its_identity() {
    ValidationResult.Invalid invalid = invalid(TOPIC, bytes("{\"seq\":1,\"values\":{\"vibration\":NaN}}"),
        RejectReason.NOT_FINITE);

    assertThat(invalid.device()).contains(RM_42);
    assertThat(invalid.topic()).contains(new TelemetryTopic("plant-1", "rm-00042"));
  }

  // --- helpers -----------------------------------------------------------------------------

  private TelemetryValidator strictValidator() {
    Config strict = ConfigFactory.parseString("fleetpulse.gateway.registration.required = true")
        .withFallback(ConfigFactory.load());
    GatewaySettings strictSettings = GatewaySettings.fromConfig(strict);
    assertThat(strictSettings.registration().required()).isTrue();
    return new TelemetryValidator(
        strictSettings.validation(), new RegistryView(strictSettings.registration(), profiles), profiles);
  }

  private Telemetry valid(String topic, String payload) {
    ValidationResult result = validator.validate(topic, bytes(payload), RECEIVED);
    assertThat(result).isInstanceOf(ValidationResult.Valid.class);
    return ((ValidationResult.Valid) result).telemetry();
  }

  private ValidationResult.Invalid invalid(String topic, byte[] payload, RejectReason expected) {
    return invalid(validator, topic, payload, expected);
  }

  private static ValidationResult.Invalid invalid(
      TelemetryValidator validator, String topic, byte[] payload, RejectReason expected) {
    ValidationResult result = validator.validate(topic, payload, RECEIVED);
    assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
    ValidationResult.Invalid invalid = (ValidationResult.Invalid) result;
    assertThat(invalid.reason()).as(invalid.detail()).isEqualTo(expected);
    return invalid;
  }

  private static String compact(long seq, long ts, String values) {
    return "{\"seq\":" + seq + ",\"ts\":" + ts + ",\"values\":{" + values + "}}";
  }

  /** The JSON padded with trailing spaces to exactly {@code size} bytes. */
  private static byte[] padded(String json, int size) {
    byte[] payload = bytes(json + " ".repeat(size - json.length()));
    assertThat(payload).hasSize(size);
    return payload;
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
